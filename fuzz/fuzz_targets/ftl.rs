//! libFuzzer target: [`qiao_fuzz::ftl`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| qiao_fuzz::ftl(data));
