// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/webkit/WebView
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android.webkit;

// The real class extends AbsoluteLayout (a ViewGroup); only its View-ness matters to the app.
public class WebView extends android.view.View {
    public WebView(android.content.Context context) { super(context); }
    public WebSettings getSettings() { throw new UnsupportedOperationException(); }
    public void setWebViewClient(WebViewClient client) {}
    public void loadUrl(String url) {}
    public boolean canGoBack() { throw new UnsupportedOperationException(); }
    public void goBack() {}
}
