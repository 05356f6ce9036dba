//! The Android host's security settings, checked in its sources (no Android device or SDK
//! runs here): the bridge object is offered to the app's own asset origin only, the listener
//! checks the origin again, the WebView cannot read files, and the screens come from that
//! origin. A change that widens any of these fails this test.

use std::path::PathBuf;

fn source(relative: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_webview_bridge_is_offered_to_the_app_origin_only() {
    let activity = source("app/src/main/java/net/plexdownloader/MainActivity.java");
    let compact: String = activity.split_whitespace().collect();
    assert!(compact.contains(r#"privatestaticfinalStringHOST="appassets.androidplatform.net";"#));
    assert!(compact.contains(r#"privatestaticfinalStringORIGIN="https://"+HOST;"#));
    // Exactly one listener, for exactly one origin rule: the asset origin.
    assert_eq!(compact.matches("addWebMessageListener(").count(), 1);
    assert!(compact.contains(
        "WebViewCompat.addWebMessageListener(webView,NativeBridgeNames.OBJECT,Collections.singleton(ORIGIN),this::onMessage);"
    ));
    assert!(!activity.contains("\"*\""), "no wildcard origin rule");
    // The listener drops messages from frames or origins other than the app's own page.
    assert!(compact.contains(
        "if(!isMainFrame||data==null||!ORIGIN.equals(sourceOrigin.toString())){return;}"
    ));
    // No file or content access from the page, and no other JavaScript interface.
    assert!(compact.contains("settings.setAllowFileAccess(false);"));
    assert!(compact.contains("settings.setAllowContentAccess(false);"));
    assert!(!activity.contains("addJavascriptInterface"));
    // The screens come from the asset origin; other addresses leave the WebView.
    assert!(compact.contains(r#"webView.loadUrl(ORIGIN+"/assets/ui/index.html");"#));
    assert!(compact.contains("if(HOST.equals(request.getUrl().getHost())){returnfalse;}"));
}

#[test]
fn the_ui_names_the_same_bridge_object_as_the_host() {
    let names = source("app/src/main/java/net/plexdownloader/NativeBridgeNames.java");
    assert!(names.contains(r#"static final String OBJECT = "plexdlBridge";"#));
    let client = source("../ui-wasm/src/bridgeClient.rs");
    assert!(client.contains(r#"pub const ANDROID_OBJECT: &str = "plexdlBridge";"#));
}
