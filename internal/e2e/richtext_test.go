package e2e

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// xssPayloads are the usual ways into a page that shows HTML: each would
// set window.xss (or top's) if any script of it ran, and some try to leave
// the element they are shown in.
var xssPayloads = []string{
	`<img src=x onerror="window.xss='img'">`,
	`<script>window.xss='script'</script>`,
	`<svg onload="window.xss='svg'"><circle r="5"></circle></svg>`,
	`<a href="javascript:window.xss='js'">a javascript: link</a>`,
	`<a href=" JaVaScRiPt:window.xss='js2'">a spaced javascript: link</a>`,
	`<iframe srcdoc="<script>parent.xss='iframe'</script>"></iframe>`,
	`<style>body{display:none}</style><div style="position:fixed;inset:0;background:red">an overlay</div>`,
	`</textarea><img src=x onerror="window.xss='textarea'">`,
	`</li></ul><div id="escaped">outside the bubble</div>`,
	`<form action="https://example.com/steal"><input name="pw"><button>go</button></form>`,
	`<details open ontoggle="window.xss='details'">details</details>`,
	`<math><mtext><table><mglyph><style><img src=x onerror="window.xss='mxss'">`,
	`<a href="https://example.com/ok" onclick="window.xss='click'" target="_self">a fine link</a>`,
}

// TestHTMLIsShownSafely: what the API says is HTML (a chat message, an
// email's content) shows formatted, and none of the usual XSS payloads runs
// or leaves the element it is shown in: a chat message keeps only
// DOMPurify's small allow-list, an email is a sandboxed frame without
// scripts. A right-to-left override shows isolated in the bubble and
// escaped in the inspector.
func TestHTMLIsShownSafely(t *testing.T) {
	t.Parallel()
	st := startStack(t, demoCard)
	ctx := st.tab(t)
	var dialogs atomic.Int32
	go func() {
		for _, err := range chromedp.Events(ctx, page.JavascriptDialogOpening) {
			if err != nil {
				return
			}
			dialogs.Add(1)
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()

	// A web chat: the first message formatted, then every payload, then a
	// message with an RTL override, from a customer whose name has one.
	choose(t, ctx, tid("new-channel"), "chat")
	choose(t, ctx, tid("new-from"), "Aino \u202eNENITRIV")
	choose(t, ctx, tid("new-content"), `Where is <b>my order</b> SO-48213? <i>It</i> was due <code>2024-05-02</code>.<ul><li>one</li><li>two</li></ul>`)
	chat := accepted(t, ctx, "chat")
	inst := instanceOf(t, ctx, chat, "customer-card")
	say := func(text, as string) {
		t.Helper()
		n := eval[int](t, ctx, `document.querySelectorAll('[data-testid="transcript-message"]').length`)
		choose(t, ctx, tid("say-text"), text)
		click(t, ctx, tid("say-"+as))
		waitJS(t, ctx, fmt.Sprintf(`document.querySelectorAll('[data-testid="transcript-message"]').length === %d`, n+1))
	}
	for _, text := range xssPayloads {
		say(text, "customer")
	}
	say(`Sorry about that: <b>SO-48213</b> ships <i>today</i>. Track it at <a href="https://example.com/track">example.com/track</a>.`, "agent")
	say("my file is invoice\u202efdp.exe", "customer")

	// Every bubble holds its text and its byline, nothing else; the text
	// holds only allowed elements, without handlers, styles or script URLs.
	bad := eval[[]string](t, ctx, `(() => {
		const bad = [];
		const allowed = new Set(["B", "I", "EM", "STRONG", "A", "BR", "P", "UL", "OL", "LI", "CODE"]);
		const ul = document.querySelector('[data-testid="transcript"]');
		for (const c of ul.children) if (!c.matches('li.bubble[data-testid="transcript-message"]')) bad.push("in the list: " + c.outerHTML);
		for (const li of ul.children) {
			const kids = [...li.children].map((k) => k.localName).join(",");
			if (kids !== "div,small") bad.push("bubble children " + kids + ": " + li.outerHTML);
			const text = li.querySelector('[data-testid="message-text"]');
			if (!text || text.getAttribute("dir") !== "auto") { bad.push("no isolated text: " + li.outerHTML); continue; }
			for (const el of text.querySelectorAll("*")) {
				if (!allowed.has(el.tagName)) bad.push("element " + el.outerHTML);
				for (const a of el.attributes) {
					if (!["href", "target", "rel"].includes(a.name)) bad.push("attribute " + a.name + " on " + el.outerHTML);
				}
				if (el.hasAttribute("href") && !/^https?:/i.test(el.getAttribute("href"))) bad.push("href " + el.outerHTML);
			}
		}
		if (document.getElementById("escaped")) bad.push("#escaped is in the page");
		if (document.querySelector("form[action], iframe[srcdoc]:not([data-testid=email-content]), circle[r=\"5\"]")) bad.push("a payload element is in the page");
		return bad })()`)
	for _, b := range bad {
		t.Error(b)
	}
	if got := eval[string](t, ctx, `(() => { const b = document.querySelector('[data-testid="message-text"].rich b'); return b ? b.textContent + " " + getComputedStyle(b).fontWeight : "" })()`); got != "my order 700" {
		t.Errorf("the first message's <b>: %q, want bold \"my order\"", got)
	}
	link := eval[string](t, ctx, `(() => { const a = [...document.querySelectorAll('[data-testid="message-text"] a')].find((a) => a.textContent === "a fine link");
		return a ? [a.getAttribute("href"), a.target, a.rel, a.getAttribute("onclick")].join(" ") : "" })()`)
	if link != "https://example.com/ok _blank noopener noreferrer " {
		t.Errorf("the fine link is %q", link)
	}
	if n := eval[int](t, ctx, `[...document.querySelectorAll('[data-testid="message-text"] a')].filter((a) => a.hasAttribute("href")).length`); n != 2 {
		t.Errorf("%d links keep an href, want the fine one and the agent's only", n)
	}

	// The override: isolated and marked in the bubble, escaped in the
	// inspector's summary and detail.
	last := `[...document.querySelectorAll('[data-testid="transcript-message"]')].pop()`
	if got := eval[string](t, ctx, last+`.querySelector('[data-testid="controls"]').textContent`); got != "‹U+202E›" {
		t.Errorf("the override's mark: %q", got)
	}
	// It shows where it is, and reverses nothing: the file reads as the
	// .exe it is, and the name as it was typed.
	if got := eval[string](t, ctx, last+`.querySelector('[data-testid="message-text"]').textContent`); got != "my file is invoice‹U+202E›fdp.exe" {
		t.Errorf("the message shows %q, want the override in place", got)
	}
	if got := eval[string](t, ctx, `[...document.querySelectorAll('[data-testid="detail"] dd span')].map((e) => e.textContent).filter((s) => s.includes("NENITRIV")).join(" | ")`); got != "Aino ‹U+202E›NENITRIV" {
		t.Errorf("the detail shows %q, want the name with the override in place", got)
	}
	if got := eval[string](t, ctx, `document.querySelector('.d-title span').getAttribute("dir") + " " + document.querySelector('[data-testid="interaction"] .icard-title').getAttribute("dir")`); got != "auto auto" {
		t.Errorf("the title's dir in the detail and the card: %q", got)
	}
	row := waitRow(t, ctx, fmt.Sprintf(`r.i === %q && m.type === "state" && m.payload.attribute === "message" && m.payload.value.message.includes("\u202e")`, inst))
	n := int(row["n"].(float64))
	waitJS(t, ctx, fmt.Sprintf(`(() => { const r = document.querySelector('[data-testid="log-row"][data-n="%d"]'); return r && r.textContent.includes("invoice‹U+202E›fdp.exe") })()`, n))
	click(t, ctx, fmt.Sprintf(`[data-testid="log-row"][data-n="%d"]`, n))
	waitJS(t, ctx, `document.querySelector('[data-testid="log-detail"]').textContent.includes("invoice\\u202efdp.exe")`)
	if eval[bool](t, ctx, `document.querySelector('[data-testid="log-detail"]').textContent.includes("\u202e")`) {
		t.Error("the inspector's detail shows the override raw")
	}
	click(t, ctx, tid("log-detail-close"))
	eval[bool](t, ctx, `(document.querySelector('[data-testid="say-customer"]').scrollIntoView({block: "end"}), true)`)
	screenshot(t, ctx, "html-chat.png", false)

	// An email whose body is HTML with the same payloads.
	body := `<h1>Your order</h1><p>Hello <b>Aino</b>,</p><p>Track it <a href="https://example.com/track">here</a>.</p>` +
		strings.ReplaceAll(strings.Join(xssPayloads, "\n"), "window.", "top.") + `</body></html><div id="mail-escaped">outside the frame</div>`
	choose(t, ctx, tid("new-channel"), "email")
	choose(t, ctx, tid("new-from"), "aino.virtanen@example.com")
	choose(t, ctx, tid("new-subject"), "Your order \u202eSO-48213")
	choose(t, ctx, tid("new-content"), body)
	mail := accepted(t, ctx, "email")
	waitJS(t, ctx, fmt.Sprintf(`document.querySelector('[data-testid="detail"]').dataset.id === %q && document.querySelector('iframe[data-testid="email-content"]')`, mail))
	frame := `document.querySelector('iframe[data-testid="email-content"]')`
	if got := eval[string](t, ctx, frame+`.getAttribute("sandbox")`); strings.Contains(got, "allow-scripts") || strings.Contains(got, "allow-same-origin") {
		t.Errorf("the email's sandbox is %q", got)
	}
	// An opaque origin: the page cannot reach into the frame, nor it out.
	if eval[bool](t, ctx, frame+`.contentDocument !== null`) {
		t.Error("the page can read the email's document: the frame is not sandboxed")
	}
	doc := eval[string](t, ctx, frame+`.srcdoc`)
	if !strings.Contains(doc, `content="default-src 'none';`) {
		t.Errorf("the email's document has no strict CSP: %s", doc)
	}
	_, mailBody, _ := strings.Cut(doc, "<body")
	for _, s := range []string{"<script", "onerror", "onload", "ontoggle", "onclick", "href=\"javascript", "href=\" javascript", "<iframe", "<form", "<style", "mail-escaped\">outside"} {
		if strings.Contains(strings.ToLower(mailBody), strings.ToLower(s)) {
			t.Errorf("the email's body keeps %q: %s", s, mailBody)
		}
	}
	if !strings.Contains(mailBody, "<b>Aino</b>") || !strings.Contains(mailBody, `href="https://example.com/track" target="_blank" rel="noopener noreferrer"`) {
		t.Errorf("the email's formatting is lost: %s", mailBody)
	}
	if eval[bool](t, ctx, `!!document.getElementById("mail-escaped")`) {
		t.Error("the email's content left its frame")
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="email-subject"]').getAttribute("dir") + " " + document.querySelector('[data-testid="email"] [data-testid="controls"]').textContent`); got != "auto ‹U+202E›" {
		t.Errorf("the subject's dir and mark: %q", got)
	}
	eval[bool](t, ctx, `(document.querySelector('[data-testid="email"]').scrollIntoView(), true)`)
	waitJS(t, ctx, frame+`.hasAttribute("data-loaded")`)
	screenshot(t, ctx, "html.png", false)

	if got := eval[string](t, ctx, `String(window.xss)`); got != "undefined" {
		t.Errorf("a payload ran: window.xss = %s", got)
	}
	if n := dialogs.Load(); n != 0 {
		t.Errorf("%d dialogs opened", n)
	}
}
