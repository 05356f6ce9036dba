// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/core/content/FileProvider
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.core.content;

public class FileProvider {
    public static android.net.Uri getUriForFile(android.content.Context context, String authority, java.io.File file) { throw new UnsupportedOperationException(); }
}
