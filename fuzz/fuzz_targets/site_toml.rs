//! libFuzzer target: [`qiao_fuzz::site_toml`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| qiao_fuzz::site_toml(data));
