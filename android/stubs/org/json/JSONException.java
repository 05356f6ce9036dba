// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/org/json/JSONException
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package org.json;

public class JSONException extends Exception {
    public JSONException(String s) { super(s); }
}
