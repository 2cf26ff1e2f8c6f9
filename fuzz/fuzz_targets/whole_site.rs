//! libFuzzer target: [`qiao_fuzz::whole_site`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| qiao_fuzz::whole_site(data));
