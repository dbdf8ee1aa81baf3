//! The bundled `content/` folder, compiled in by `src/build.rs` so that an installed `quire`
//! has something to open anywhere.

include!(concat!(env!("OUT_DIR"), "/bundled_content.rs"));
