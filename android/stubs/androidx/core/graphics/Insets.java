// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/core/graphics/Insets
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.core.graphics;

public final class Insets {
    public final int left = 0;
    public final int top = 0;
    public final int right = 0;
    public final int bottom = 0;
}
