// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/content/ContextWrapper
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android.content;

public class ContextWrapper extends Context {
    public java.io.File getFilesDir() { throw new UnsupportedOperationException(); }
    public java.io.File getExternalFilesDir(String type) { throw new UnsupportedOperationException(); }
    public java.io.File[] getExternalFilesDirs(String type) { throw new UnsupportedOperationException(); }
    public String getPackageName() { throw new UnsupportedOperationException(); }
    public Context getApplicationContext() { throw new UnsupportedOperationException(); }
    public void startActivity(Intent intent) { throw new UnsupportedOperationException(); }
    public int checkSelfPermission(String permission) { throw new UnsupportedOperationException(); }
}
