package host

import (
	"context"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cpsim/cpsim/internal/state/statetest"
)

// fakeCheck answers checks from a table the test changes, and counts them.
type fakeCheck struct {
	mu     sync.Mutex
	now    map[string][]Problem
	counts map[string]int
}

func newFakeCheck() *fakeCheck {
	return &fakeCheck{now: map[string][]Problem{}, counts: map[string]int{}}
}

func (f *fakeCheck) check(_ context.Context, url string) []Problem {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.counts[url]++
	return f.now[url]
}

func (f *fakeCheck) set(url string, ps ...Problem) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now[url] = ps
}

func (f *fakeCheck) count(url string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[url]
}

// TestChecksAreThrottled: a URL is checked at once, then at most once per
// CheckEvery however often it is asked for, and a request that comes too
// soon is not lost: it runs when the time has passed.
func TestChecksAreThrottled(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFakeCheck()
		srv, err := New(Config{Logger: discardLogger(), Data: testData(t), Validator: statetest.Validator(t), Assets: testAssets,
			Check: f.check, CheckEvery: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Shutdown(context.Background())
		const u = "http://localhost:9/crm.html"
		srv.recheck(u)
		synctest.Wait()
		if n := f.count(u); n != 1 {
			t.Fatalf("%d checks at first, want 1", n)
		}
		for range 5 {
			srv.recheck(u)
		}
		synctest.Wait()
		if n := f.count(u); n != 1 {
			t.Errorf("%d checks within CheckEvery, want 1", n)
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if n := f.count(u); n != 2 {
			t.Errorf("%d checks once CheckEvery passed, want 2 (the requests that came too soon, as one)", n)
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if n := f.count(u); n != 2 {
			t.Errorf("%d checks with none asked for, want 2", n)
		}
	})
}

// TestProblemsFollowTheExtension: the start-up check's "cannot reach"
// banner used to stay on every new page after the extension's server came
// up. A page that connects has the URLs checked again, and every page is
// told what is true now.
func TestProblemsFollowTheExtension(t *testing.T) {
	t.Parallel()
	f := newFakeCheck()
	const crm = "http://localhost:9/crm.html"
	down := Problem{Level: "error", Kind: "unreachable", URL: crm, Text: "cannot reach " + crm}
	f.set(crm, down)
	srv, hs := newTestServer(t, func(c *Config) {
		c.Check = f.check
		c.CheckEvery = time.Millisecond
	})
	srv.CheckExtensions()
	problems := func(f map[string]any) []any { l, _ := f["p"].([]any); return l }
	first := dial(t, hs, "", 0, true)
	first.waitFor(func(f map[string]any) bool { return f["t"] == "p" && len(problems(f)) == 1 })

	f.set(crm) // the extension's server is up
	second := dial(t, hs, "", 0, true)
	second.waitFor(func(f map[string]any) bool { return f["t"] == "p" && len(problems(f)) == 0 && f["p"] != nil })
	first.waitFor(func(f map[string]any) bool { return f["t"] == "p" && len(problems(f)) == 0 })

	// An instance that loads has its URL checked again too.
	f.set(crm, down)
	first.call()
	first.waitFor(func(f map[string]any) bool { return f["t"] == "p" && len(problems(f)) == 1 })
}

// TestEmbeddedPanelShowsWhatItsCRMCannotFrame: an extension whose
// frame-ancestors allows the panel but not the CRM that embeds it is
// blocked in that CRM's panel (the browser checks every ancestor). The
// embedded panel's page is told, and a full panel's page is not.
func TestEmbeddedPanelShowsWhatItsCRMCannotFrame(t *testing.T) {
	t.Parallel()
	const crm = "http://localhost:4000"
	var mu sync.Mutex
	var asked []string
	srv, hs := newTestServer(t, func(c *Config) {
		c.Check = func(context.Context, string) []Problem { return nil }
		c.CheckCRM = func(_ context.Context, origin, url string) []Problem {
			mu.Lock()
			asked = append(asked, origin+" "+url)
			mu.Unlock()
			return []Problem{{Level: "error", Kind: "crm-framing", URL: url, Text: "the CRM at " + origin + " cannot frame " + url}}
		}
		c.CheckEvery = time.Millisecond
	})
	srv.CheckExtensions()
	problems := func(f map[string]any) []any { l, _ := f["p"].([]any); return l }
	p, _ := embeddedPage(t, hs, crm)
	f := p.waitFor(func(f map[string]any) bool { return f["t"] == "p" && len(problems(f)) > 0 })
	text := problems(f)[0].(map[string]any)["text"].(string)
	if want := "the CRM at " + crm + " cannot frame http"; !strings.HasPrefix(text, want) {
		t.Errorf("the embedded page's problem %q, want %q…", text, want)
	}
	full := dial(t, hs, "", 0, true)
	full.waitFor(func(f map[string]any) bool { return f["t"] == "p" && f["p"] != nil })
	for _, f := range full.frames {
		if f["t"] == "p" && len(problems(f)) > 0 {
			t.Errorf("the full panel's page was shown %v", problems(f))
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(asked) == 0 {
		t.Error("CheckCRM was never asked")
	}
}
