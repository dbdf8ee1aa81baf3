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
    /// Where the site keeps its pages, relative to it: Hugo's `contentDir` (`content` unless
    /// configured), Zola's `content`; none for Jekyll, whose pages are the site's own files.
    pub content_dir: Option<PathBuf>,
    /// Jekyll's `permalink` (a style, `date` unless set, or a template such as
    /// `/archives/:year/:month/:title.html`), for posts.
    pub permalink: Option<String>,
    /// Jekyll's `defaults` that set a permalink: (scope path, scope type, permalink).
    pub permalink_defaults: Vec<(String, Option<String>, String)>,
}

/// The folder to read for a folder given as content: a Zola or Hugo site's content folder
/// when `dir` is the site itself (its README, templates and archetypes are not posts, and
/// its ids are the same as with the content folder given), else `dir`.
pub fn content_folder(dir: &Path) -> PathBuf {
    read_config(dir)
        .and_then(|site| site.content_dir)
        .map(|content| dir.join(content))
        .filter(|content| content.is_dir())
        .unwrap_or_else(|| dir.to_path_buf())
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
                let post = date.is_some() && relative.iter().any(|p| p == "_posts");
                // A post's name without its date: `2024-03-01-my-post` → `my-post`.
                let name = stem.get(11..).filter(|_| post).unwrap_or(&stem);
                let template = path
                    .map(str::to_string)
                    .or_else(|| self.default_permalink(relative, post))
                    .or_else(|| post.then(|| self.permalink.clone().unwrap_or_default()));
                match template {
                    Some(template) => {
                        let fields = Permalink {
                            name,
                            date,
                            categories,
                            page: &page,
                        };
                        format!("{base}{}", fields.expand(&template))
                    }
                    None => format!("{base}/{page}.html"),
                }
            }
        })
    }
}

impl Site {
    /// The permalink Jekyll's `defaults` give a file: the one of the longest scope path the
    /// file is under, whose scope type (if any) is the file's (`posts` or `pages`).
    fn default_permalink(&self, relative: &Path, post: bool) -> Option<String> {
        let relative = relative
            .iter()
            .map(|p| p.to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let kind = if post { "posts" } else { "pages" };
        self.permalink_defaults
            .iter()
            .filter(|(scope, of, _)| {
                let scope = scope.trim_matches('/');
                let under = scope.is_empty()
                    || relative == scope
                    || relative
                        .strip_prefix(scope)
                        .is_some_and(|rest| rest.starts_with('/'));
                under && of.as_deref().is_none_or(|of| of == kind)
            })
            .max_by_key(|(scope, _, _)| scope.trim_matches('/').len())
            .map(|(_, _, permalink)| permalink.clone())
    }
}

/// What a Jekyll permalink is made of.
struct Permalink<'a> {
    /// The file's name without date or extension.
    name: &'a str,
    date: Option<super::date::Date>,
    categories: &'a [String],
    /// The page's path in the site, without extension.
    page: &'a str,
}

impl Permalink<'_> {
    /// A permalink style (`date`, `pretty`, `ordinal`, `none`) or template, filled in;
    /// placeholders it does not know are kept as written. Always starts with `/`.
    fn expand(&self, template: &str) -> String {
        let template = match template.trim() {
            "" | "date" => "/:categories/:year/:month/:day/:title:output_ext",
            "pretty" => "/:categories/:year/:month/:day/:title/",
            "ordinal" => "/:categories/:year/:y_day/:title:output_ext",
            "none" => "/:categories/:title:output_ext",
            // A style this does not know (`weekdate`): the default one.
            other if !other.contains(['/', ':']) => {
                "/:categories/:year/:month/:day/:title:output_ext"
            }
            other => other,
        };
        let d = self.date;
        let num = |f: fn(super::date::Date) -> u32, width: usize| {
            d.map(|d| format!("{:0width$}", f(d))).unwrap_or_default()
        };
        let categories = self
            .categories
            .iter()
            .map(|c| c.to_lowercase().replace(' ', "-"))
            .collect::<Vec<_>>()
            .join("/");
        let mut out = String::new();
        let mut rest = template;
        while let Some(at) = rest.find(':') {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            let key = &after[..len];
            let value = match key {
                "year" => num(|d| u32::from(d.year), 4),
                "short_year" => num(|d| u32::from(d.year) % 100, 2),
                "month" => num(|d| u32::from(d.month), 2),
                "i_month" => num(|d| u32::from(d.month), 1),
                "day" => num(|d| u32::from(d.day), 2),
                "i_day" => num(|d| u32::from(d.day), 1),
                "y_day" => num(|d| d.day_of_year(), 3),
                "hour" | "minute" | "second" => "00".to_string(),
                "title" | "slug" | "name" | "basename" => self.name.to_string(),
                "categories" => categories.clone(),
                "output_ext" => ".html".to_string(),
                "path" => self.page.to_string(),
                _ => format!(":{key}"),
            };
            out.push_str(&value);
            rest = &after[len..];
        }
        out.push_str(rest);
        // Empty placeholders leave `//` behind (no categories): Jekyll folds them too.
        let mut folded = String::with_capacity(out.len() + 1);
        for c in out.chars() {
            if !(c == '/' && folded.ends_with('/')) {
                folded.push(c);
            }
        }
        if !folded.starts_with('/') {
            folded.insert(0, '/');
        }
        folded
    }
}

/// Jekyll's `defaults` entries that set `permalink`: (scope path, scope type, permalink).
fn permalink_defaults(table: &Table) -> Vec<(String, Option<String>, String)> {
    let Some(Value::Array(defaults)) = table.get("defaults") else {
        return Vec::new();
    };
    defaults
        .iter()
        .filter_map(Value::as_table)
        .filter_map(|entry| {
            let values = entry.get("values")?.as_table()?;
            let permalink = string(values, "permalink")?;
            let scope = entry.get("scope").and_then(Value::as_table);
            let path = scope.and_then(|s| string(s, "path")).unwrap_or_default();
            let of = scope.and_then(|s| string(s, "type"));
            Some((path, of, permalink))
        })
        .collect()
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
            content_dir: None,
            permalink: string(&table, "permalink"),
            permalink_defaults: permalink_defaults(&table),
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
            content_dir: Some(content_dir_of(&table)),
            permalink: None,
            permalink_defaults: Vec::new(),
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
                content_dir: Some(content_dir_of(&table)),
                permalink: None,
                permalink_defaults: Vec::new(),
            });
        }
    }
    None
}

/// Hugo's `contentDir` (a relative folder inside the site), else `content`.
fn content_dir_of(table: &Table) -> PathBuf {
    string(table, "contentDir")
        .map(PathBuf::from)
        .filter(|dir| {
            dir.components()
                .all(|c| matches!(c, std::path::Component::Normal(_)))
        })
        .unwrap_or_else(|| PathBuf::from("content"))
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

    #[test]
    fn jekyll_permalinks_are_filled_in_from_styles_and_templates() {
        let fields = Permalink {
            name: "my-post",
            date: Date::new(2008, 3, 1),
            categories: &["Evolution".to_string(), "Court Cases".to_string()],
            page: "_posts/2008-03-01-my-post",
        };
        for (template, url) in [
            ("date", "/evolution/court-cases/2008/03/01/my-post.html"),
            ("pretty", "/evolution/court-cases/2008/03/01/my-post/"),
            ("ordinal", "/evolution/court-cases/2008/061/my-post.html"),
            ("none", "/evolution/court-cases/my-post.html"),
            (
                "/archives/:year/:month/:title.html",
                "/archives/2008/03/my-post.html",
            ),
            ("/:short_year/:i_month/:i_day/:slug", "/08/3/1/my-post"),
            ("blog/:title/:unknown/", "/blog/my-post/:unknown/"),
        ] {
            assert_eq!(fields.expand(template), url, "{template}");
        }
        let none = Permalink {
            categories: &[],
            ..fields
        };
        assert_eq!(none.expand("date"), "/2008/03/01/my-post.html");
    }

    #[test]
    fn a_site_root_is_read_at_its_content_folder() {
        let hugo = temp("hugo-root");
        std::fs::write(hugo.join("hugo.toml"), "baseURL = \"https://x.example/\"\n")
            .expect("write");
        assert_eq!(content_folder(&hugo), hugo.join("content"));
        // Hugo's `contentDir`; one leaving the site is not followed.
        std::fs::create_dir_all(hugo.join("pages")).expect("dir");
        std::fs::write(
            hugo.join("hugo.toml"),
            "baseURL = \"https://x.example/\"\ncontentDir = \"pages\"\n",
        )
        .expect("write");
        assert_eq!(content_folder(&hugo), hugo.join("pages"));
        std::fs::write(hugo.join("hugo.toml"), "contentDir = \"../elsewhere\"\n").expect("write");
        assert_eq!(content_folder(&hugo), hugo.join("content"));
        // A Jekyll site and a plain folder are read where they are.
        let jekyll = temp("jekyll-root");
        std::fs::write(jekyll.join("_config.yml"), "title: J\n").expect("write");
        assert_eq!(content_folder(&jekyll), jekyll);
        let plain = temp("plain-root");
        assert_eq!(content_folder(&plain), plain);
        for dir in [hugo, jekyll, plain] {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
