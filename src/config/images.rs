//! `[images]` in `site.toml`: the widths, formats, quality and `sizes` of the responsive
//! variants that the image stage (`images`) writes. Wrong values are reported as
//! [`SettingError`]s and replaced by the defaults.

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::search::SettingError;

/// The `[images]` table as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawImages {
    #[serde(default)]
    widths: Option<Spanned<Vec<Spanned<i64>>>>,
    #[serde(default)]
    formats: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    quality: Option<Spanned<i64>>,
    #[serde(default)]
    sizes: Option<Spanned<String>>,
}

/// Validated `[images]` settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageSettings {
    /// Widths of the resized variants in pixels, ascending; empty turns variants off.
    pub widths: Vec<u32>,
    /// Whether WebP variants are written beside those in the original format.
    pub webp: bool,
    /// Quality of lossy encodings (JPEG, WebP), 1 to 100.
    pub quality: u8,
    /// The `sizes` attribute of images with variants.
    pub sizes: String,
}

impl Default for ImageSettings {
    fn default() -> ImageSettings {
        ImageSettings {
            widths: vec![480, 960, 1600],
            webp: true,
            quality: 82,
            sizes: "(min-width: 50rem) 50rem, 100vw".to_string(),
        }
    }
}

impl RawImages {
    /// Checks the values; wrong ones are reported and replaced by defaults.
    pub fn validate(self) -> (ImageSettings, Vec<SettingError>) {
        let RawImages {
            widths,
            formats,
            quality,
            sizes,
        } = self;
        let defaults = ImageSettings::default();
        let mut errors = Vec::new();
        let widths = match widths {
            None => defaults.widths,
            Some(list) => {
                let mut out = Vec::new();
                for w in list.into_inner() {
                    match u32::try_from(*w.get_ref()) {
                        Ok(v) if (16..=8192).contains(&v) => out.push(v),
                        _ => errors.push(SettingError {
                            span: w.span(),
                            message: "a width in [images] widths must be between 16 and 8192 \
                                      pixels"
                                .to_string(),
                            hint: "for example widths = [480, 960, 1600]; widths = [] turns \
                                   variants off",
                        }),
                    }
                }
                out.sort_unstable();
                out.dedup();
                out
            }
        };
        let webp = match formats {
            None => defaults.webp,
            Some(list) => {
                let mut webp = false;
                for f in list.into_inner() {
                    if f.get_ref() == "webp" {
                        webp = true;
                    } else {
                        errors.push(SettingError {
                            span: f.span(),
                            message: format!(
                                "`{}` in [images] formats is not a format qiao writes",
                                f.get_ref()
                            ),
                            hint: "formats = [\"webp\"] adds WebP variants, formats = [] only \
                                   writes the original format",
                        });
                    }
                }
                webp
            }
        };
        let quality = match quality {
            None => defaults.quality,
            Some(q) => match u8::try_from(*q.get_ref()) {
                Ok(v) if (1..=100).contains(&v) => v,
                _ => {
                    errors.push(SettingError {
                        span: q.span(),
                        message: "`quality` in [images] must be between 1 and 100".to_string(),
                        hint: "for example quality = 82",
                    });
                    defaults.quality
                }
            },
        };
        let sizes = match sizes {
            None => defaults.sizes,
            Some(s) if s.get_ref().trim().is_empty() || s.get_ref().contains('"') => {
                errors.push(SettingError {
                    span: s.span(),
                    message: "`sizes` in [images] must be a media list without `\"`".to_string(),
                    hint: "for example sizes = \"(min-width: 50rem) 50rem, 100vw\"",
                });
                defaults.sizes
            }
            Some(s) => s.into_inner(),
        };
        (
            ImageSettings {
                widths,
                webp,
                quality,
                sizes,
            },
            errors,
        )
    }
}
