// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/core/view/WindowInsetsCompat
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.core.view;

public class WindowInsetsCompat {
    public static final WindowInsetsCompat CONSUMED = null;
    public androidx.core.graphics.Insets getInsets(int typeMask) { throw new UnsupportedOperationException(); }
    public static final class Type {
        public static int systemBars() { throw new UnsupportedOperationException(); }
        public static int displayCutout() { throw new UnsupportedOperationException(); }
        public static int ime() { throw new UnsupportedOperationException(); }
    }
}
