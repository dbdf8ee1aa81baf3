//! A content root that is a static site (or its `content/` folder): the site generator's
//! configuration gives the site's title and the address its pages are published at, so a post
//! without a `url` of its own still gets the one its site gives it.

use std::path::{Path, PathBuf};

use toml::{Table, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generator {
    Zola,
    Hugo,
    Jekyll,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub generator: Generator,
    pub title: Option<String>,
    /// Where the site is published, without a trailing `/`.
    pub base_url: Option<String>,
    /// The folder the content root is in the site: `content/` for Zola and Hugo when the root
    /// is the site itself, else empty.
    pub content_prefix: PathBuf,
}

/// The files a site's configuration can be in, in the order they are looked at.
pub const CONFIG_NAMES: [&str; 8] = [
    "_config.yml",
    "_config.yaml",
    "hugo.toml",
    "config.toml",
    "hugo.yaml",
    "hugo.yml",
    "config.yaml",
    "config.yml",
];

/// The folders a root's site configuration is looked for in: the root, its parent and its
/// grandparent (Hugo's `content/en`); a relative root's last is the current folder.
fn config_folders(root: &Path) -> impl Iterator<Item = &Path> {
    root.ancestors().take(3).map(|dir| {
        if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        }
    })
}

/// Every file a site configuration of `roots` could be read from, with its stamp, or `None`
/// where there is no such file: what the load cache and a reload compare, so an edited
/// `baseURL` (or a configuration made or removed) is a change like an edited post.
pub fn config_stamps(roots: &[super::Root]) -> Vec<(PathBuf, Option<super::source::Stamp>)> {
    let mut stamps = Vec::new();
    for root in roots {
        let super::Root::Dir(dir) = root else {
            continue;
        };
        for folder in config_folders(dir) {
            for name in CONFIG_NAMES {
                let path = folder.join(name);
                let stamp = std::fs::metadata(&path)
                    .ok()
                    .map(|m| super::source::Stamp::of(&m));
                stamps.push((path, stamp));
            }
        }
    }
    stamps
}

impl Site {
    /// The site `root` is, or whose `content/` folder it is (or a language's folder in it,
    /// as Hugo's multilingual `content/en`).
    pub fn detect(root: &Path) -> Option<Site> {
        for (up, dir) in config_folders(root).enumerate() {
            if let Some(mut site) = read_config(dir) {
                let is_site_folder =
                    up == 0 && site.generator != Generator::Jekyll && dir.join("content").is_dir();
                site.content_prefix = if is_site_folder {
                    PathBuf::from("content")
                } else {
                    PathBuf::new()
                };
                return Some(site);
            }
        }
        None
    }

    /// The address the site publishes a post at, from its path in the content root (`relative`),
    /// its `path` front matter (Zola), its date and category (Jekyll's default permalink).
    pub fn url_of(
        &self,
        relative: &Path,
        path: Option<&str>,
        date: Option<super::date::Date>,
        categories: &[String],
    ) -> Option<String> {
        let base = self.base_url.as_deref()?;
        let relative = relative
            .strip_prefix(&self.content_prefix)
            .unwrap_or(relative);
        // A draft is not published anywhere yet.
        if relative.iter().any(|p| p == "_drafts") {
            return None;
        }
        let stem = relative.file_stem()?.to_string_lossy();
        // A page bundle `slug/index.md` is published at its folder.
        let page = if stem == "index" {
            relative.parent()?.to_path_buf()
        } else {
            relative.with_extension("")
        };
        let page = page
            .iter()
            .map(|p| p.to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        Some(match self.generator {
            Generator::Zola => match path {
                Some(path) => format!("{base}/{}/", path.trim_matches('/')),
                None => format!("{base}/{page}/"),
            },
            Generator::Hugo => format!("{base}/{}/", page.to_lowercase()),
            Generator::Jekyll => {
                // `_posts/2024-03-01-my-post.md` → `/category/2024/03/01/my-post.html`.
                let name = stem.get(11..).filter(|_| date.is_some()).unwrap_or(&stem);
                let category: String = categories
                    .iter()
                    .map(|c| format!("{}/", c.to_lowercase().replace(' ', "-")))
                    .collect();
                match date {
                    Some(d) if relative.iter().any(|p| p == "_posts") => format!(
                        "{base}/{category}{:04}/{:02}/{:02}/{name}.html",
                        d.year, d.month, d.day
                    ),
                    _ => format!("{base}/{page}.html"),
                }
            }
        })
    }
}

fn read_config(dir: &Path) -> Option<Site> {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
    if let Some(text) = read("_config.yml").or_else(|| read("_config.yaml")) {
        let table = super::front_matter::yaml_table(&text, 1, &mut Vec::new());
        let url = string(&table, "url").unwrap_or_default();
        let baseurl = string(&table, "baseurl").unwrap_or_default();
        let base = format!(
            "{}{}",
            url.trim_end_matches('/'),
            baseurl.trim_end_matches('/')
        );
        return Some(Site {
            generator: Generator::Jekyll,
            title: string(&table, "title"),
            base_url: (!base.is_empty()).then_some(base),
            content_prefix: PathBuf::new(),
        });
    }
    for name in ["hugo.toml", "config.toml"] {
        let Some(table) = read(name).and_then(|t| t.parse::<Table>().ok()) else {
            continue;
        };
        let (generator, base) = if let Some(base) = string(&table, "base_url") {
            (Generator::Zola, Some(base))
        } else if name == "hugo.toml" || table.contains_key("baseURL") {
            (Generator::Hugo, string(&table, "baseURL"))
        } else {
            continue;
        };
        return Some(Site {
            generator,
            title: string(&table, "title"),
            base_url: base.map(|b| b.trim_end_matches('/').to_string()),
            content_prefix: PathBuf::new(),
        });
    }
    for name in ["hugo.yaml", "hugo.yml", "config.yaml", "config.yml"] {
        let Some(text) = read(name) else { continue };
        let table = super::front_matter::yaml_table(&text, 1, &mut Vec::new());
        if name.starts_with("hugo") || table.contains_key("baseURL") {
            return Some(Site {
                generator: Generator::Hugo,
                title: string(&table, "title"),
                base_url: string(&table, "baseURL").map(|b| b.trim_end_matches('/').to_string()),
                content_prefix: PathBuf::new(),
            });
        }
    }
    None
}

fn string(table: &Table, key: &str) -> Option<String> {
    match table.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::date::Date;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("quire-site-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("content")).expect("dir");
        dir
    }

    #[test]
    fn zola_hugo_and_jekyll_sites_give_their_urls() {
        let zola = temp("zola");
        std::fs::write(
            zola.join("config.toml"),
            "base_url = \"https://blog.example.org/\"\ntitle = \"Example\"\n",
        )
        .expect("write");
        // The root may be the site or its content folder.
        for root in [zola.clone(), zola.join("content")] {
            let site = Site::detect(&root).expect("a Zola site");
            assert_eq!(site.generator, Generator::Zola);
            assert_eq!(site.title.as_deref(), Some("Example"));
            let prefix = if root == zola { "content/" } else { "" };
            let post = PathBuf::from(format!("{prefix}inside-rust/x.md"));
            assert_eq!(
                site.url_of(&post, None, None, &[]).as_deref(),
                Some("https://blog.example.org/inside-rust/x/")
            );
            assert_eq!(
                site.url_of(&post, Some("2019/09/30/x"), None, &[])
                    .as_deref(),
                Some("https://blog.example.org/2019/09/30/x/")
            );
        }
        let hugo = temp("hugo");
        std::fs::write(
            hugo.join("hugo.yaml"),
            "baseURL: https://gohugo.example/\ntitle: Hugo\n",
        )
        .expect("write");
        let site = Site::detect(&hugo.join("content")).expect("a Hugo site");
        assert_eq!(
            site.url_of(
                Path::new("Content-Management/Shortcodes.md"),
                None,
                None,
                &[]
            )
            .as_deref(),
            Some("https://gohugo.example/content-management/shortcodes/")
        );
        let jekyll = temp("jekyll");
        std::fs::write(
            jekyll.join("_config.yml"),
            "title: My Blog\nurl: \"https://me.example\"\nbaseurl: /blog\n",
        )
        .expect("write");
        let site = Site::detect(&jekyll).expect("a Jekyll site");
        assert_eq!(site.title.as_deref(), Some("My Blog"));
        assert_eq!(
            site.url_of(
                Path::new("_posts/2024-03-01-hello-world.md"),
                None,
                Date::new(2024, 3, 1),
                &["Rust".to_string(), "Async IO".to_string()]
            )
            .as_deref(),
            Some("https://me.example/blog/rust/async-io/2024/03/01/hello-world.html")
        );
        assert_eq!(Site::detect(&temp("plain").join("content")), None);
        for dir in [zola, hugo, jekyll] {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
