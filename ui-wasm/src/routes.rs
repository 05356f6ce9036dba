//! The screens as addresses. The address hash (`#/downloads`) names the screen, so the back
//! button (the browser's, or Android's, which the host turns into a history step) moves
//! between screens inside the UI.

/// A screen and what it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    SignIn,
    Servers,
    /// The libraries of a server.
    Sections {
        server: String,
    },
    /// The items of a library; with `item`, that item's detail beside (tablet) or instead of
    /// (phone) the grid.
    Library {
        server: String,
        section: String,
        item: Option<String>,
    },
    Downloads,
    Settings,
    Diagnostics,
}

fn decode(part: &str) -> Option<String> {
    let mut out = Vec::new();
    let bytes = part.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = part.get(index + 1..index + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    let text = String::from_utf8(out).ok()?;
    (!text.is_empty()).then_some(text)
}

fn encode(part: &str) -> String {
    part.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

impl Route {
    /// Reads a hash (without `#`). Anything unknown is `None`.
    pub fn parse(hash: &str) -> Option<Route> {
        let parts: Vec<&str> = hash.trim_start_matches('/').split('/').collect();
        match parts.as_slice() {
            ["signin"] => Some(Route::SignIn),
            ["servers"] => Some(Route::Servers),
            ["downloads"] => Some(Route::Downloads),
            ["settings"] => Some(Route::Settings),
            ["diagnostics"] => Some(Route::Diagnostics),
            ["server", server] => Some(Route::Sections {
                server: decode(server)?,
            }),
            ["library", server, section] => Some(Route::Library {
                server: decode(server)?,
                section: decode(section)?,
                item: None,
            }),
            ["library", server, section, item] => Some(Route::Library {
                server: decode(server)?,
                section: decode(section)?,
                item: Some(decode(item)?),
            }),
            _ => None,
        }
    }

    /// The hash for this screen (without `#`).
    pub fn hash(&self) -> String {
        match self {
            Route::SignIn => "/signin".to_string(),
            Route::Servers => "/servers".to_string(),
            Route::Downloads => "/downloads".to_string(),
            Route::Settings => "/settings".to_string(),
            Route::Diagnostics => "/diagnostics".to_string(),
            Route::Sections { server } => format!("/server/{}", encode(server)),
            Route::Library {
                server,
                section,
                item: None,
            } => format!("/library/{}/{}", encode(server), encode(section)),
            Route::Library {
                server,
                section,
                item: Some(item),
            } => format!(
                "/library/{}/{}/{}",
                encode(server),
                encode(section),
                encode(item)
            ),
        }
    }

    /// The tab the screen belongs to, for the navigation bar.
    pub fn tab(&self) -> &'static str {
        match self {
            Route::SignIn | Route::Servers | Route::Sections { .. } | Route::Library { .. } => {
                "browse"
            }
            Route::Downloads => "downloads",
            Route::Settings | Route::Diagnostics => "settings",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_reads_back_from_its_hash() {
        let routes = [
            Route::SignIn,
            Route::Servers,
            Route::Downloads,
            Route::Settings,
            Route::Diagnostics,
            Route::Sections {
                server: "5e1f0c9d".to_string(),
            },
            Route::Library {
                server: "http://127.0.0.1:32400".to_string(),
                section: "1".to_string(),
                item: None,
            },
            Route::Library {
                server: "a/b c".to_string(),
                section: "2".to_string(),
                item: Some("68".to_string()),
            },
        ];
        for route in routes {
            assert_eq!(
                Route::parse(&route.hash()),
                Some(route.clone()),
                "{route:?}"
            );
        }
    }

    #[test]
    fn unknown_or_broken_hashes_are_refused() {
        for hash in [
            "",
            "/",
            "/nowhere",
            "/server/",
            "/library/x",
            "/server/%zz",
            "/library/a/b/c/d",
        ] {
            assert_eq!(Route::parse(hash), None, "{hash}");
        }
    }
}
