// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/webkit/WebViewCompat
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.webkit;

public class WebViewCompat {
    public interface WebMessageListener {
        void onPostMessage(android.webkit.WebView view, WebMessageCompat message, android.net.Uri sourceOrigin, boolean isMainFrame, JavaScriptReplyProxy replyProxy);
    }
    public static void addWebMessageListener(android.webkit.WebView webView, String jsObjectName, java.util.Set<String> allowedOriginRules, WebMessageListener listener) {}
}
