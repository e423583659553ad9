package e2e

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/png"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cpsim/cpsim/internal/demo"
	"github.com/cpsim/cpsim/internal/extcheck"
	"github.com/cpsim/cpsim/internal/state"
)

var update = flag.Bool("update", false, "rewrite the README's pictures in docs/images from the screenshot tests")

// TestPageRelaysOnlyItsExtensions: a message that does not come from an
// extension's own iframe is not relayed, whatever it looks like.
func TestPageRelaysOnlyItsExtensions(t *testing.T) {
	t.Parallel()
	st := startStack(t, demoCard)
	ctx := st.tab(t)
	call := accepted(t, ctx, "phone")
	inst := instanceOf(t, ctx, call, "customer-card")
	waitRow(t, ctx, fmt.Sprintf(`r.dir === "in" && r.i === %q && m.type === "init"`, inst))

	// The panel page posting to itself, as an injected script would. The
	// promise resolves once the page's own listener, which comes after the
	// panel's, has had the message.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`new Promise(resolve => {
		addEventListener("message", function seen(ev) {
			if ((ev.data || {}).id === "forged") { removeEventListener("message", seen); resolve(true) }
		});
		postMessage({id: "forged", type: "action", payload: {command: "interaction", value: "hangup"}}, "*");
	})`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
	// Had the panel relayed it, its row would come before the one of a
	// message the extension posts after it.
	frameJS[bool](t, frame(t, ctx, inst), `(window.parent.postMessage({id: "fence", type: "action", payload: {command: "detail", value: "user"}}, "*"), true)`)
	waitRow(t, ctx, fmt.Sprintf(`r.dir === "in" && r.i === %q && m.id === "fence"`, inst))
	if eval[bool](t, ctx, `window.cpsim.log.some(r => (r.m || {}).id === "forged")`) {
		t.Error("the page relayed a message it posted to itself")
	}
	if st := eval[string](t, ctx, fmt.Sprintf(`window.cpsim.view.interactions.find(i => i.id === %q).status`, call)); st != "accepted" {
		t.Errorf("the forged hangup took effect: the call is %s", st)
	}
}

// TestScreenshots takes a picture of the panel in use, with cpsim's
// default extensions: the README's docs/images/panel.png.
func TestScreenshots(t *testing.T) {
	t.Parallel()
	st := startStack(t, demo.Extensions)
	ctx := st.tab(t)
	call := accepted(t, ctx, "phone")
	waitRow(t, ctx, `r.dir === "in" && m.type === "init"`)
	click(t, ctx, card(call, "hold"))
	chat := accepted(t, ctx, "chat")
	inst := instanceOf(t, ctx, chat, "customer-card")
	choose(t, ctx, tid("say-text"), "Could you also change the delivery address?")
	click(t, ctx, tid("say-customer"))
	waitRow(t, ctx, fmt.Sprintf(`r.i === %q && m.type === "state" && m.payload.attribute === "message"`, inst))
	click(t, ctx, fmt.Sprintf(`[data-testid="ext-button"][data-instance=%q]`, inst))
	ext := frame(t, ctx, inst)
	frameWait(t, ext, `document.querySelector('[data-testid="transcript"]').textContent.includes("delivery address")`)
	screenshot(t, ctx, "panel.png", true)
}

// screenshot takes a picture of the tab, checks that it is a picture of
// something, and keeps it: in $CPSIM_SCREENSHOTS when set, and, for the
// README, in docs/images with -update when readme is true.
func screenshot(t *testing.T, ctx context.Context, name string, readme bool) {
	t.Helper()
	// The inspector draws new rows a moment after they come: wait until
	// it counts every row the page has.
	waitJS(t, ctx, `document.querySelector('[data-testid="log-count"]').textContent === new Intl.NumberFormat("en-US").format(window.cpsim.log.length)`)
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 1440 || b.Dy() != 900 {
		t.Errorf("screenshot is %dx%d, want 1440x900", b.Dx(), b.Dy())
	}
	if n := colours(img, img.Bounds(), 7); n < 50 {
		t.Errorf("%s has %d colours: the page did not render", name, n)
	}
	keep(t, name, shot)
	if *update && readme {
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "images", name), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// keep writes a screenshot where $CPSIM_SCREENSHOTS says, for people to
// look at (a CI job can keep the directory).
func keep(t *testing.T, name string, png []byte) {
	t.Helper()
	dir := os.Getenv("CPSIM_SCREENSHOTS")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestUnreachableExtensionIsReported: an extension whose server is down is
// named in the page's problems banner, and the panel works on.
func TestUnreachableExtensionIsReported(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := fmt.Sprintf("http://localhost:%d/panel.html", ln.Addr().(*net.TCPAddr).Port)
	ln.Close() // nothing listens there any more
	st := startStack(t, func(string) []state.ExtensionData { return []state.ExtensionData{{Key: "down", URL: down}} })
	st.srv.Report(extcheck.Check(context.Background(), http.DefaultClient, st.panel, down))

	ctx := st.tab(t)
	waitJS(t, ctx, `[...document.querySelectorAll('[data-testid="problem"][data-level="error"]')].some(p => p.textContent.includes("cannot reach `+down+`") && p.textContent.includes("Is the extension's server running?"))`)
	accepted(t, ctx, "email") // the panel works on
}

// colours counts the distinct colours of img in r, sampled every step
// pixels: a screenshot of a page that did not render has a handful.
func colours(img image.Image, r image.Rectangle, step int) int {
	seen := map[[3]uint32]bool{}
	for y := r.Min.Y; y < r.Max.Y; y += step {
		for x := r.Min.X; x < r.Max.X; x += step {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			seen[[3]uint32{cr >> 8, cg >> 8, cb >> 8}] = true
		}
	}
	return len(seen)
}
