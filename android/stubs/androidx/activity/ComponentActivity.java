// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/activity/ComponentActivity
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.activity;

// The real class extends androidx.core.app.ComponentActivity, which extends android.app.Activity.
public class ComponentActivity extends android.app.Activity implements androidx.lifecycle.LifecycleOwner {
    public ComponentActivity() {}
    public final OnBackPressedDispatcher getOnBackPressedDispatcher() { throw new UnsupportedOperationException(); }
    public final <I, O> androidx.activity.result.ActivityResultLauncher<I> registerForActivityResult(
            androidx.activity.result.contract.ActivityResultContract<I, O> contract,
            androidx.activity.result.ActivityResultCallback<O> callback) { throw new UnsupportedOperationException(); }
}
