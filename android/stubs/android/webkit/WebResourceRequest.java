// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/webkit/WebResourceRequest
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android.webkit;

public interface WebResourceRequest {
    android.net.Uri getUrl();
}
