// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/webkit/WebResourceResponse
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android.webkit;

public class WebResourceResponse {
    public WebResourceResponse(String mimeType, String encoding, java.io.InputStream data) {}
    public WebResourceResponse(String mimeType, String encoding, int statusCode, String reasonPhrase, java.util.Map<String, String> responseHeaders, java.io.InputStream data) {}
}
