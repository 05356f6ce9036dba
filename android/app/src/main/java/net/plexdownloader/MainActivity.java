package net.plexdownloader;

import android.Manifest;
import android.content.ActivityNotFoundException;
import android.content.Intent;
import android.content.pm.PackageManager;
import android.net.Uri;
import android.os.Build;
import android.os.Bundle;
import android.webkit.WebResourceRequest;
import android.webkit.WebResourceResponse;
import android.webkit.WebSettings;
import android.webkit.WebView;
import android.webkit.WebViewClient;
import android.widget.Toast;
import androidx.activity.ComponentActivity;
import androidx.activity.OnBackPressedCallback;
import androidx.activity.result.ActivityResult;
import androidx.activity.result.ActivityResultLauncher;
import androidx.activity.result.contract.ActivityResultContracts;
import androidx.core.content.FileProvider;
import androidx.core.graphics.Insets;
import androidx.core.view.ViewCompat;
import androidx.core.view.WindowInsetsCompat;
import androidx.webkit.JavaScriptReplyProxy;
import androidx.webkit.WebMessageCompat;
import androidx.webkit.WebViewAssetLoader;
import androidx.webkit.WebViewCompat;
import androidx.webkit.WebViewFeature;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The screens: a WebView showing the UI from the app's assets at
 * https://appassets.androidplatform.net, with the bridge object {@code plexdlBridge} offered
 * to that origin only. Every message goes to the core unchanged and the answer comes back
 * unchanged (through {@link CoreCalls}, which turns any failure into an error answer and
 * starts the queue's worker when the core asks); pushed events are forwarded the same way.
 * Thumbnails are fetched natively with the token added by the core; the back button moves
 * back inside the UI until its first screen; the page is kept clear of the status and
 * navigation bars, which Android 15 draws over the app (targetSdk 35). Play starts the
 * user's video player for a result, and what the player hands back (where playback
 * stopped, or that it ended) goes to the core through {@link PlayerResult}.
 */
public final class MainActivity extends ComponentActivity {
    private static final String HOST = "appassets.androidplatform.net";
    private static final String ORIGIN = "https://" + HOST;
    private final ExecutorService calls = Executors.newFixedThreadPool(2);
    private WebView webView;
    private volatile JavaScriptReplyProxy replies;
    private volatile boolean started;
    /** The download the player was started for (-1: none); kept across a re-created activity. */
    private long playing = -1;
    private static final String PLAYING = "playing";
    // Registered before the activity starts, as the result API requires, so that a result
    // reaches this activity also after Android re-created it while the player was open.
    private final ActivityResultLauncher<Intent> player =
            registerForActivityResult(new ActivityResultContracts.StartActivityForResult(), this::onPlayerResult);

    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        if (savedInstanceState != null) {
            playing = savedInstanceState.getLong(PLAYING, -1);
        }
        webView = new WebView(this);
        setContentView(webView);
        // Edge to edge from targetSdk 35: the bars and a camera cutout are padding, so the
        // page's sticky header is never drawn under the status bar.
        ViewCompat.setOnApplyWindowInsetsListener(webView, (view, insets) -> {
            Insets bars = insets.getInsets(WindowInsetsCompat.Type.systemBars()
                    | WindowInsetsCompat.Type.displayCutout() | WindowInsetsCompat.Type.ime());
            view.setPadding(bars.left, bars.top, bars.right, bars.bottom);
            return WindowInsetsCompat.CONSUMED;
        });
        WebSettings settings = webView.getSettings();
        settings.setJavaScriptEnabled(true);
        settings.setAllowFileAccess(false);
        settings.setAllowContentAccess(false);
        WebViewAssetLoader assets = new WebViewAssetLoader.Builder()
                .addPathHandler("/assets/", new WebViewAssetLoader.AssetsPathHandler(this))
                .build();
        webView.setWebViewClient(new WebViewClient() {
            @Override
            public WebResourceResponse shouldInterceptRequest(WebView view, WebResourceRequest request) {
                Uri url = request.getUrl();
                if (HOST.equals(url.getHost()) && "/thumb".equals(url.getPath())) {
                    return thumbnail(url);
                }
                return assets.shouldInterceptRequest(url);
            }

            @Override
            public boolean shouldOverrideUrlLoading(WebView view, WebResourceRequest request) {
                if (HOST.equals(request.getUrl().getHost())) {
                    return false;
                }
                // The Plex sign-in page and any other outside link open in the browser.
                open(new Intent(Intent.ACTION_VIEW, request.getUrl()));
                return true;
            }
        });
        if (WebViewFeature.isFeatureSupported(WebViewFeature.WEB_MESSAGE_LISTENER)) {
            WebViewCompat.addWebMessageListener(webView, NativeBridgeNames.OBJECT,
                    Collections.singleton(ORIGIN), this::onMessage);
        }
        getOnBackPressedDispatcher().addCallback(this, new OnBackPressedCallback(true) {
            @Override
            public void handleOnBackPressed() {
                if (webView.canGoBack()) {
                    webView.goBack();
                } else {
                    // At the UI's first screen Back leaves the app as usual; the callback is
                    // on again for the next time the app is shown.
                    setEnabled(false);
                    getOnBackPressedDispatcher().onBackPressed();
                    setEnabled(true);
                }
            }
        });
        webView.loadUrl(ORIGIN + "/assets/ui/index.html");
        // Android 13 and later ask the user before an app may show notifications (download
        // progress, with Pause and Cancel).
        if (Build.VERSION.SDK_INT >= 33
                && checkSelfPermission(Manifest.permission.POST_NOTIFICATIONS) != PackageManager.PERMISSION_GRANTED) {
            requestPermissions(new String[] {Manifest.permission.POST_NOTIFICATIONS}, 1);
        }
    }

    @Override
    protected void onStart() {
        super.onStart();
        started = true;
        Thread pushes = new Thread(() -> {
            while (started) {
                String push = CoreCalls.nextPush(1000);
                JavaScriptReplyProxy target = replies;
                if (!push.isEmpty() && target != null) {
                    runOnUiThread(() -> target.postMessage(push));
                }
            }
        }, "plexdl-pushes");
        pushes.setDaemon(true);
        pushes.start();
    }

    @Override
    protected void onSaveInstanceState(Bundle outState) {
        super.onSaveInstanceState(outState);
        outState.putLong(PLAYING, playing);
    }

    @Override
    protected void onStop() {
        started = false;
        super.onStop();
    }

    /** A message from the UI: a bridge request, or {@code {"play":ID}} for a finished file. */
    private void onMessage(WebView view, WebMessageCompat message, Uri sourceOrigin, boolean isMainFrame,
            JavaScriptReplyProxy replyProxy) {
        String data = message.getData();
        if (!isMainFrame || data == null || !ORIGIN.equals(sourceOrigin.toString())) {
            return;
        }
        replies = replyProxy;
        if (data.startsWith(NativeBridgeNames.PLAY_PREFIX)) {
            play(data);
            return;
        }
        calls.execute(() -> {
            String answer = CoreCalls.answer(data, Work.starter(this));
            runOnUiThread(() -> replyProxy.postMessage(answer));
        });
    }

    private WebResourceResponse thumbnail(Uri url) {
        try {
            byte[] image = NativeBridge.thumbnail(url.getQueryParameter("server"), url.getQueryParameter("path"),
                    parse(url.getQueryParameter("width"), 200), parse(url.getQueryParameter("height"), 300));
            return new WebResourceResponse("image/jpeg", null, new ByteArrayInputStream(image));
        } catch (RuntimeException failed) {
            int status = failed instanceof BridgeException
                    && NativeBridgeNames.KIND_IMAGE_NOT_FOUND.equals(((BridgeException) failed).kind()) ? 404 : 502;
            return new WebResourceResponse("text/plain", "utf-8", status, status == 404 ? "Not Found" : "Bad Gateway",
                    Collections.emptyMap(),
                    new ByteArrayInputStream(CoreCalls.sentenceOf(failed).getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static int parse(String number, int fallback) {
        try {
            return number == null ? fallback : Integer.parseInt(number);
        } catch (NumberFormatException notANumber) {
            return fallback;
        }
    }

    /**
     * Plays a finished download in the user's video player, through a FileProvider address.
     * The intent goes out without a chooser, as Jellyfin's external player does, so that
     * the player's result comes back to this activity; Android asks which player to use
     * when there are several.
     */
    private void play(String message) {
        try {
            long id = Long.parseLong(message.replaceAll("[^0-9]", ""));
            File file = new File(NativeBridge.finishedFile(id));
            Uri uri = FileProvider.getUriForFile(this, getPackageName() + ".files", file);
            Intent view = new Intent(Intent.ACTION_VIEW)
                    .setDataAndType(uri, "video/*")
                    .addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION)
                    .putExtra(PlayerResult.MX_RETURN_RESULT, true);
            playing = id;
            player.launch(view);
        } catch (ActivityNotFoundException none) {
            playing = -1;
            Toast.makeText(this, "No app on this device can play videos.", Toast.LENGTH_LONG).show();
        } catch (RuntimeException failed) {
            Toast.makeText(this, "This file cannot be played: " + CoreCalls.sentenceOf(failed), Toast.LENGTH_LONG)
                    .show();
        }
    }

    /** The player closed: records what it handed back (see {@link PlayerResult}). */
    private void onPlayerResult(ActivityResult result) {
        long id = playing;
        playing = -1;
        Intent data = result.getData();
        String request = PlayerResult.request(id, result.getResultCode(),
                data != null && data.hasExtra(PlayerResult.MX_POSITION)
                        ? data.getIntExtra(PlayerResult.MX_POSITION, -1) : null,
                data != null && data.hasExtra(PlayerResult.VLC_POSITION)
                        ? data.getLongExtra(PlayerResult.VLC_POSITION, -1) : null,
                data != null ? data.getStringExtra(PlayerResult.MX_END_BY) : null);
        if (request != null) {
            calls.execute(() -> CoreCalls.answer(request, Work.starter(this)));
        }
    }

    private void open(Intent intent) {
        try {
            startActivity(intent);
        } catch (ActivityNotFoundException none) {
            Toast.makeText(this, "No app on this device can open it.", Toast.LENGTH_LONG).show();
        }
    }
}
