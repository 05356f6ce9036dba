// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/webkit/WebViewClient
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android.webkit;

public class WebViewClient {
    public WebViewClient() {}
    public WebResourceResponse shouldInterceptRequest(WebView view, WebResourceRequest request) { return null; }
    public boolean shouldOverrideUrlLoading(WebView view, WebResourceRequest request) { return false; }
}
