// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/content/Context
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android.content;

public abstract class Context {
    public abstract java.io.File getFilesDir();
    public abstract java.io.File getExternalFilesDir(String type);
    public abstract java.io.File[] getExternalFilesDirs(String type);
    public abstract String getPackageName();
    public abstract Context getApplicationContext();
    public abstract void startActivity(Intent intent);
    public abstract int checkSelfPermission(String permission);
    public final <T> T getSystemService(Class<T> serviceClass) { throw new UnsupportedOperationException(); }
}
