// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/content/Intent
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android.content;

public class Intent {
    public static final String ACTION_VIEW = "android.intent.action.VIEW";
    public static final String ACTION_BOOT_COMPLETED = "android.intent.action.BOOT_COMPLETED";
    public static final String ACTION_MY_PACKAGE_REPLACED = "android.intent.action.MY_PACKAGE_REPLACED";
    public static final int FLAG_GRANT_READ_URI_PERMISSION = 0x00000001;
    public Intent(String action) { throw new UnsupportedOperationException(); }
    public Intent(String action, android.net.Uri uri) { throw new UnsupportedOperationException(); }
    public Intent(Context packageContext, Class<?> cls) { throw new UnsupportedOperationException(); }
    public static Intent createChooser(Intent target, CharSequence title) { throw new UnsupportedOperationException(); }
    public Intent setAction(String action) { throw new UnsupportedOperationException(); }
    public String getAction() { throw new UnsupportedOperationException(); }
    public Intent putExtra(String name, long value) { throw new UnsupportedOperationException(); }
    public long getLongExtra(String name, long defaultValue) { throw new UnsupportedOperationException(); }
    public Intent putExtra(String name, boolean value) { throw new UnsupportedOperationException(); }
    public int getIntExtra(String name, int defaultValue) { throw new UnsupportedOperationException(); }
    public String getStringExtra(String name) { throw new UnsupportedOperationException(); }
    public boolean hasExtra(String name) { throw new UnsupportedOperationException(); }
    public Intent setDataAndType(android.net.Uri data, String type) { throw new UnsupportedOperationException(); }
    public Intent addFlags(int flags) { throw new UnsupportedOperationException(); }
}
