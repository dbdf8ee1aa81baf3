//! Build script: compiles the `content/` folder into the binary (as `embedded::FILES`), so an
//! installed `quire` opens the bundled library from any directory.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let manifest =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let content = manifest.join("content");
    println!("cargo:rerun-if-changed={}", content.display());
    let mut files = Vec::new();
    if content.is_dir() {
        collect(&content, &content, &mut files, |name| {
            name.ends_with(".md") || name.ends_with(".markdown")
        });
    }
    files.sort();
    let mut out =
        String::from("/// Bundled content files: (path relative to `content/`, bytes).\n");
    out.push_str("pub static FILES: &[(&str, &[u8])] = &[\n");
    for relative in &files {
        let absolute = content.join(relative);
        out.push_str(&format!(
            "    ({relative:?}, include_bytes!({:?})),\n",
            absolute.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest =
        PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("bundled_content.rs");
    fs::write(dest, out).expect("write bundled_content.rs");

    // The load cache holds what this build parsed: a build from other sources (a new Quire,
    // or any change while developing) or with other dependencies (a parser crate updated in
    // Cargo.lock) must not trust it. Their hash goes into the cache's build id.
    let src = manifest.join("src");
    println!("cargo:rerun-if-changed={}", src.display());
    let lock = manifest.join("Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let mut sources = Vec::new();
    collect(&src, &src, &mut sources, |name| name.ends_with(".rs"));
    sources.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let inputs = sources
        .iter()
        .map(|relative| (relative.clone(), src.join(relative)))
        .chain([("Cargo.lock".to_string(), lock)]);
    for (name, path) in inputs {
        let bytes = fs::read(path).unwrap_or_default();
        for b in name.bytes().chain(bytes) {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    println!("cargo:rustc-env=QUIRE_SOURCE_HASH={hash:016x}");
}

fn collect(base: &Path, dir: &Path, files: &mut Vec<String>, wanted: fn(&str) -> bool) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect(base, &path, files, wanted);
        } else if wanted(&name)
            && let Ok(relative) = path.strip_prefix(base)
        {
            let parts: Vec<String> = relative
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            files.push(parts.join("/"));
        }
    }
}
