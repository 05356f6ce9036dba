// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/webkit/WebViewAssetLoader
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.webkit;

public final class WebViewAssetLoader {
    public interface PathHandler {
        android.webkit.WebResourceResponse handle(String path);
    }
    public static final class AssetsPathHandler implements PathHandler {
        public AssetsPathHandler(android.content.Context context) {}
        public android.webkit.WebResourceResponse handle(String path) { throw new UnsupportedOperationException(); }
    }
    public static final class Builder {
        public Builder() {}
        public Builder addPathHandler(String path, PathHandler handler) { return this; }
        public WebViewAssetLoader build() { throw new UnsupportedOperationException(); }
    }
    public android.webkit.WebResourceResponse shouldInterceptRequest(android.net.Uri url) { throw new UnsupportedOperationException(); }
}
