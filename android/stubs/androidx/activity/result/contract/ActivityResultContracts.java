// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/activity/result/contract/ActivityResultContracts.StartActivityForResult
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.activity.result.contract;

public final class ActivityResultContracts {
    private ActivityResultContracts() {}

    public static final class StartActivityForResult
            extends ActivityResultContract<android.content.Intent, androidx.activity.result.ActivityResult> {
        public StartActivityForResult() {}
    }
}
