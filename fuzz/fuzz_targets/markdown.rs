//! libFuzzer target: [`qiao_fuzz::markdown`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| qiao_fuzz::markdown(data));
