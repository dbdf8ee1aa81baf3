//! Site generators' template tags in a post's body, turned into the markdown they stand for.
//!
//! Hugo shortcodes (`{{< name >}}…{{< /name >}}`, `{{% name %}}…{{% /name %}}`), Zola's
//! (`{{ name(…) }}`, `{% name(…) %}…{% end %}`) and Jekyll's Liquid tags (`{% highlight %}`,
//! `{% raw %}`, `{% include %}`) are instructions to the site's templates, not text. Left as
//! they are, a reader shows them as noise, and markdown folds the code they wrap into one
//! paragraph. Here a tag that wraps code becomes a code fence in its language; one that wraps
//! text is dropped and its text kept, line for line; one that stands alone (a figure, a video)
//! becomes a quiet marker such as `‹youtube›`. Nothing inside a code fence is touched: that is
//! where posts show template syntax on purpose. Hugo's escaped form `{{</* name */>}}` is
//! shown as what it escapes.

use std::borrow::Cow;

/// `body` with its template tags read (see the module's documentation); borrowed when it has
/// none.
pub fn resolve(body: &str) -> Cow<'_, str> {
    if !body.contains("{{") && !body.contains("{%") {
        return Cow::Borrowed(body);
    }
    let mut out = String::with_capacity(body.len());
    let mut fence: Option<String> = None;
    // The code fence a wrapping tag opened, closed by its closing tag.
    let mut open_code: Vec<String> = Vec::new();
    // A shortcode written over several lines (`{{< img` … `>}}`), gathered into one: what it
    // says so far, and its lines as written (given back as they were if it never closes).
    let mut gathering: Option<(String, Vec<&str>)> = None;
    // An indented code block (four spaces after a blank line) is code, as a fence is.
    let mut previous_blank = true;
    let mut in_indented_code = false;
    for line in body.split_inclusive('\n') {
        let text = line.trim_end_matches(['\n', '\r']);
        let gathered;
        let text = match gathering.take() {
            Some((mut so_far, mut lines)) => {
                lines.push(line);
                if text.trim().is_empty() || lines.len() > MAX_TAG_LINES {
                    // Never closed (a stray `{{<`): its lines are text, and the rest of the
                    // post is read as it was, not joined into one paragraph.
                    for line in lines {
                        out.push_str(line);
                    }
                    previous_blank = text.trim().is_empty();
                    continue;
                }
                so_far.push(' ');
                so_far.push_str(text.trim());
                if !(so_far.ends_with(">}}") || so_far.ends_with("%}}")) {
                    gathering = Some((so_far, lines));
                    continue;
                }
                gathered = so_far;
                gathered.as_str()
            }
            None => text,
        };
        if fence.is_none() && open_code.is_empty() {
            let indented = text.starts_with("    ") || text.starts_with('\t');
            in_indented_code = indented && (previous_blank || in_indented_code);
            previous_blank = text.trim().is_empty();
            if in_indented_code {
                out.push_str(line);
                continue;
            }
        }
        let trimmed = text.trim_start();
        if fence.is_none()
            && (trimmed.starts_with("{{<") || trimmed.starts_with("{{%"))
            && !trimmed.contains(">}}")
            && !trimmed.contains("%}}")
        {
            gathering = Some((trimmed.trim_end().to_string(), vec![line]));
            continue;
        }
        if let Some(marker) = &fence {
            if trimmed.starts_with(marker.as_str()) && trimmed.trim_end() == marker.as_str() {
                fence = None;
            }
            out.push_str(&unescape(line));
            continue;
        }
        if open_code.is_empty()
            && let Some(marker) = fence_marker(trimmed)
        {
            fence = Some(marker);
            out.push_str(line);
            continue;
        }
        match whole_line_tag(trimmed) {
            Some(Tag::OpenCode(language)) => {
                out.push_str(&format!("```{language}\n"));
                open_code.push("```".into());
            }
            Some(Tag::CloseCode) if !open_code.is_empty() => {
                open_code.pop();
                out.push_str("```\n");
            }
            Some(Tag::Drop | Tag::CloseCode) => {}
            Some(Tag::Marker(name)) => {
                out.push_str(&format!("*‹{name}›*\n"));
            }
            None if !open_code.is_empty() => out.push_str(line),
            None => {
                let read = inline_tags(line);
                // A line that held only a tag and a list or definition marker (`: {{< x >}}`)
                // has nothing left to say.
                let left = read.trim();
                if !matches!(read, Cow::Owned(_)) || !matches!(left, ":" | "-" | "*" | "+") {
                    out.push_str(&read);
                }
            }
        }
    }
    // A shortcode never closed is text after all, line for line.
    if let Some((_, lines)) = gathering {
        for line in lines {
            out.push_str(line);
        }
    }
    // A wrapping tag never closed: close its fence, so the rest of the file is not code.
    for close in open_code {
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&close);
        out.push('\n');
    }
    Cow::Owned(out)
}

/// Lines one shortcode may span: a `{{<` still open after them is no shortcode.
const MAX_TAG_LINES: usize = 12;

/// What a line that is only a template tag becomes.
#[derive(Debug, PartialEq, Eq)]
enum Tag {
    /// Opens code in this language (may be empty): a fence.
    OpenCode(String),
    CloseCode,
    /// A tag whose content stays as it is: the line goes.
    Drop,
    /// A tag that stands for something Quire cannot show: named quietly.
    Marker(String),
}

/// Shortcodes whose content is code (Hugo's own and common theme ones).
const CODE_SHORTCODES: &[&str] = &["highlight", "code", "code-toggle", "codeblock", "snippet"];

fn whole_line_tag(line: &str) -> Option<Tag> {
    let line = line.trim_end();
    // Hugo: {{< name args >}} / {{% name args %}}, closing with a `/` before the name.
    for (open, close) in [("{{<", ">}}"), ("{{%", "%}}")] {
        if let Some(inner) = line.strip_prefix(open).and_then(|l| l.strip_suffix(close)) {
            if inner.trim_start().starts_with("/*") {
                return None; // an escaped shortcode, shown as text
            }
            let inner = inner.trim();
            if let Some(name) = inner.strip_prefix('/') {
                return Some(if is_code(name.trim()) {
                    Tag::CloseCode
                } else {
                    Tag::Drop
                });
            }
            let mut words = inner.split_whitespace();
            let name = words.next()?.trim_end_matches('/');
            // `{{< name … />}}` closes itself: there is nothing inside.
            if inner.ends_with('/') {
                return Some(Tag::Marker(clean_name(name)));
            }
            return Some(if is_code(name) {
                Tag::OpenCode(language_of(name, words.collect::<Vec<_>>().as_slice()))
            } else if inner.ends_with('/') || !is_paired_by_habit(name) {
                Tag::Marker(clean_name(name))
            } else {
                Tag::Drop
            });
        }
    }
    // Liquid and Zola block tags: {% name args %}.
    if let Some(inner) = line.strip_prefix("{%").and_then(|l| l.strip_suffix("%}")) {
        let inner = inner.trim_matches('-').trim();
        let mut words = inner.split_whitespace();
        let name = words.next()?;
        let args: Vec<&str> = words.collect();
        return Some(match name {
            "highlight" => Tag::OpenCode(args.first().copied().unwrap_or("").to_string()),
            "endhighlight" => Tag::CloseCode,
            "raw" | "endraw" | "end" | "comment" | "endcomment" => Tag::Drop,
            "include" | "include_relative" => {
                Tag::Marker(args.first().map_or("include".into(), |a| clean_name(a)))
            }
            // Zola's {% name(args) %} … {% end %} wraps markdown; Liquid's if/for/assign are
            // the template's logic.
            _ => Tag::Drop,
        });
    }
    // Zola: {{ name(args) }} on its own line.
    if let Some(inner) = line.strip_prefix("{{").and_then(|l| l.strip_suffix("}}")) {
        let inner = inner.trim();
        if let Some((name, _)) = inner.split_once('(')
            && !name.is_empty()
            && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        {
            return Some(Tag::Marker(name.to_string()));
        }
    }
    None
}

fn is_code(name: &str) -> bool {
    CODE_SHORTCODES.contains(&name)
}

/// Shortcodes that wrap content by habit (admonitions, details): their opening line is only
/// dropped. Any other one alone on a line (figure, youtube, gist, tweet) is a marker.
fn is_paired_by_habit(name: &str) -> bool {
    const PAIRED: &[&str] = &[
        "note",
        "tip",
        "warning",
        "caution",
        "important",
        "details",
        "hint",
        "notice",
        "alert",
        "callout",
        "admonition",
        "tab",
        "tabs",
        "columns",
        "center",
        "quote",
        "aside",
        "expand",
        "collapse",
        "info",
        "danger",
        "example",
    ];
    PAIRED.contains(&name)
}

/// The language of a code shortcode: `highlight go` → go; `code-toggle file="hugo"` (Hugo's
/// configuration shown in TOML, YAML and JSON) → toml.
fn language_of(name: &str, args: &[&str]) -> String {
    match name {
        "code-toggle" => "toml".to_string(),
        _ => args
            .iter()
            .find(|a| !a.contains('='))
            .or_else(|| args.iter().find(|a| a.starts_with("lang=")))
            .map(|a| {
                a.trim_start_matches("lang=")
                    .trim_matches(['"', '\''])
                    .to_string()
            })
            .unwrap_or_default(),
    }
}

/// A tag's name or file as a marker shows it: no quotes, no folders.
fn clean_name(name: &str) -> String {
    let name = name.trim_matches(['"', '\'']);
    name.rsplit('/').next().unwrap_or(name).to_string()
}

/// Tags inside a line of text: Hugo's `ref`/`relref` give the page they name (they sit in a
/// link's target), other shortcodes go, Jekyll's `{{ site.baseurl }}` is empty (a link from
/// the site's root).
fn inline_tags(line: &str) -> Cow<'_, str> {
    if !line.contains("{{") && !line.contains("{%") {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let (close, is_shortcode) = if tail.starts_with("{{<") {
            (">}}", true)
        } else if tail.starts_with("{{%") {
            ("%}}", true)
        } else {
            ("}}", false)
        };
        let Some(end) = tail.find(close) else {
            out.push_str(tail);
            rest = "";
            break;
        };
        let whole = &tail[..end + close.len()];
        // The opening is ASCII, but what follows may not be (`{{‑ ‑}}`), and a closing may
        // overlap it (`{{%}}`): sliced with care.
        let inner = tail.get(3..end).unwrap_or("").trim();
        if is_shortcode && inner.starts_with("/*") {
            // Hugo's escape: `{{</* name */>}}` is shown as `{{< name >}}`.
            out.push_str(&unescape(whole));
        } else if is_shortcode {
            let mut words = inner.split_whitespace();
            match words.next() {
                Some("ref" | "relref") => {
                    out.push_str(words.next().unwrap_or("").trim_matches(['"', '\'']));
                }
                // Hugo's docs mark what a version added: worth keeping, quietly.
                Some("new-in") => {
                    let version = words.next().unwrap_or("").trim_matches(['"', '\'', '/']);
                    if !version.is_empty() {
                        out.push_str(&format!("*new in {version}*"));
                    }
                }
                _ => {}
            }
        } else {
            let variable = tail.get(2..end).unwrap_or("").trim();
            if !matches!(variable, "site.baseurl" | "site.url" | "base_url") {
                out.push_str(whole);
            }
        }
        rest = &tail[end + close.len()..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Hugo's escaped shortcodes shown as the shortcode they escape.
fn unescape(text: &str) -> Cow<'_, str> {
    if !text.contains("{{</*") && !text.contains("{{%/*") {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.replace("{{</*", "{{<")
            .replace("*/>}}", ">}}")
            .replace("{{%/*", "{{%")
            .replace("*/%}}", "%}}"),
    )
}

/// The marker of a code fence opening on this line (``` or ~~~, three or more).
fn fence_marker(line: &str) -> Option<String> {
    let ch = line.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = line.chars().take_while(|c| *c == ch).count();
    (n >= 3).then(|| ch.to_string().repeat(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_without_tags_is_borrowed() {
        assert!(matches!(resolve("plain *text*\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn hugo_code_shortcodes_become_fences_and_keep_their_lines() {
        let body = "Set it:\n\n{{< code-toggle file=\"hugo\" >}}\nbaseURL = 'https://x.org/'\n\
                    title = 'Site'\n{{< /code-toggle >}}\n\n{{< highlight go \"linenos=table\" >}}\n\
                    func main() {}\n{{< /highlight >}}\n";
        assert_eq!(
            resolve(body),
            "Set it:\n\n```toml\nbaseURL = 'https://x.org/'\ntitle = 'Site'\n```\n\n```go\n\
             func main() {}\n```\n"
        );
    }

    #[test]
    fn wrapping_tags_go_and_their_text_stays() {
        let body = "{{% note %}}\nRead **this**.\n{{% /note %}}\n{{< details summary=\"More\" >}}\n\
                    Hidden text.\n{{< /details >}}\n{% quote(author=\"Ada\") %}\nWords.\n{% end %}\n";
        assert_eq!(resolve(body), "Read **this**.\nHidden text.\nWords.\n");
    }

    #[test]
    fn standalone_tags_are_quiet_markers() {
        let body = "{{< youtube w7Ft2ymGmfc >}}\n{{< figure src=\"/a.png\" >}}\n\
                    {{< code-toggle config=\"markup\" />}}\n\
                    {{ gist(url=\"https://gist.github.com/x\") }}\n{% include footer.html %}\n";
        assert_eq!(
            resolve(body),
            "*‹youtube›*\n*‹figure›*\n*‹code-toggle›*\n*‹gist›*\n*‹footer.html›*\n"
        );
    }

    #[test]
    fn liquid_highlight_and_raw() {
        let body = "{% highlight ruby %}\ndef foo\n  puts 'foo'\nend\n{% endhighlight %}\n\
                    {% raw %}\nUse {{ page.title }} here.\n{% endraw %}\n";
        assert_eq!(
            resolve(body),
            "```ruby\ndef foo\n  puts 'foo'\nend\n```\nUse {{ page.title }} here.\n"
        );
    }

    #[test]
    fn inline_tags_and_code_fences() {
        let body = "See [the guide]({{< ref \"guide.md\" >}}) and ![x]({{ site.baseurl }}/a.png).\n\
                    ```go-html-template\n{{< youtube id >}}\n{{</* figure */>}}\n```\n\
                    Write {{</* gist user id */>}} for a gist.\n";
        assert_eq!(
            resolve(body),
            "See [the guide](guide.md) and ![x](/a.png).\n```go-html-template\n\
             {{< youtube id >}}\n{{< figure >}}\n```\nWrite {{< gist user id >}} for a gist.\n"
        );
    }

    #[test]
    fn odd_tags_never_panic() {
        for body in [
            "{{‑ ‑}}\n",
            "a {{%}} b {{<>}} c {{}} d {{‑ x ‑}}\n",
            "{{< é >}}\n{{% ü %}}\n{{<\n{%\n{% %}\n{{ }}\n",
            "x {{< ref >}} {{</* */>}} {{ site.baseurl",
        ] {
            let _ = resolve(body);
        }
    }

    #[test]
    fn a_line_left_with_only_its_marker_goes() {
        let body = "`enable`\n: {{< new-in 0.151.0 />}}\n: Whether to enable it.\n\
                    `other`\n: {{< badge x >}}\n: Something.\n";
        assert_eq!(
            resolve(body),
            "`enable`\n: *new in 0.151.0*\n: Whether to enable it.\n`other`\n: Something.\n"
        );
    }

    #[test]
    fn a_shortcode_over_several_lines_is_one_tag() {
        let body = "Before.\n\n{{< img\n  src=\"a.jpg\"\n  example=true\n>}}\n\nAfter.\n\
                    {{< highlight go\n   \"linenos=table\" >}}\nx := 1\n{{< /highlight >}}\n";
        assert_eq!(
            resolve(body),
            "Before.\n\n*‹img›*\n\nAfter.\n```go\nx := 1\n```\n"
        );
        assert_eq!(
            resolve("{{< never closed\nend\n"),
            "{{< never closed\nend\n"
        );
    }

    #[test]
    fn a_stray_opening_leaves_the_rest_of_the_post_as_it_was() {
        let rest: String = (0..40)
            .map(|i| format!("Line {i}.\n\nParagraph {i}.\n"))
            .collect();
        let body = format!("{{{{< a stray opening, never closed\nnext line\n\n{rest}");
        let read = resolve(&body);
        assert!(read.ends_with(&rest), "{read}");
        assert_eq!(read.lines().count(), body.lines().count());
    }

    #[test]
    fn tags_in_indented_code_are_code() {
        let body =
            "Liquid looks like this:\n\n    {% if user %}\n    Hello\n    {% endif %}\n\nDone.\n";
        assert_eq!(resolve(body), body);
    }

    #[test]
    fn an_unclosed_code_tag_closes_at_the_end() {
        assert_eq!(resolve("{{< highlight sh >}}\nls\n"), "```sh\nls\n```\n");
    }
}
