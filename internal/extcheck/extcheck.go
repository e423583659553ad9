// Package extcheck checks an extension URL the way the panel will load
// it, before any browser does: can it be reached, will its framing headers
// (X-Frame-Options, Content-Security-Policy frame-ancestors) let the
// panel's origin frame it, and is it served from the panel's own site,
// which hides the problems production has. cpsim runs it at start, the
// panel page shows what it finds, and cpsim test prints it before it
// starts Chromium.
//
// Nothing here fails with an error: whatever goes wrong with a URL is
// itself a Problem, which is what the user needs to read.
package extcheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/publicsuffix"
)

// Problem is one thing that will go wrong when the panel loads an
// extension. Its JSON is what the panel page shows.
type Problem struct {
	Level string `json:"level"` // LevelError or LevelWarning
	Kind  string `json:"kind"`  // KindUnreachable, KindFraming or KindSameSite
	Text  string `json:"text"`  // what is wrong and how to fix it, in sentences
	URL   string `json:"url,omitempty"`
}

// The levels of a Problem: an error keeps the extension from showing; a
// warning does not, but something misleads.
const (
	LevelError   = "error"
	LevelWarning = "warning"
)

// The kinds of a Problem.
const (
	// KindUnreachable: the URL does not parse, its server does not
	// answer, or it answers with an HTTP error.
	KindUnreachable = "unreachable"
	// KindFraming: the response's framing headers block the panel, or
	// hold something browsers ignore.
	KindFraming = "framing"
	// KindSameSite: the extension is on the panel's own site.
	KindSameSite = "same-site"
	// KindCRMFraming: the extension's frame-ancestors lets the panel frame
	// it, but not the CRM that embeds the panel (CheckCRM).
	KindCRMFraming = "crm-framing"
)

// Timeout bounds one Check: a URL that has not answered by then is
// unreachable ("no answer within 5 seconds").
const Timeout = 5 * time.Second

// Check loads extURL the way the panel at panelOrigin (scheme://host:port)
// will, with client, and reports what will go wrong: it cannot be reached,
// it refuses to be framed by the panel (the seed's Configuration chapter),
// or it is served from the same site as the panel, which hides the
// hosting problems production has. It sends a GET marked as an iframe's
// (Sec-Fetch-Dest: iframe), reads only the headers, and gives up after
// Timeout or when ctx ends. It returns nil when nothing will go wrong.
func Check(ctx context.Context, client *http.Client, panelOrigin, extURL string) []Problem {
	var ps []Problem
	if p := SameSite(panelOrigin, extURL); p != nil {
		ps = append(ps, *p)
	}
	resp, err := loadAsFrame(ctx, client, extURL)
	var bad badURLError
	switch {
	case errors.As(err, &bad):
		return append(ps, Problem{Level: LevelError, Kind: KindUnreachable, URL: extURL, Text: fmt.Sprintf("%s is not a URL the panel can load: %v", extURL, bad.err)})
	case err != nil:
		return append(ps, Problem{Level: LevelError, Kind: KindUnreachable, URL: extURL, Text: fmt.Sprintf("cannot reach %s: %s. Is the extension's server running?", extURL, ReachError(err))})
	}
	if resp.StatusCode >= 400 {
		return append(ps, Problem{Level: LevelError, Kind: KindUnreachable, URL: extURL, Text: fmt.Sprintf("%s answers %s: the panel will show an error page instead of the extension", extURL, resp.Status)})
	}
	return append(ps, Framing(resp.Header, panelOrigin, extURL)...)
}

// CheckCRM checks whether an extension can show in a panel that a CRM at
// crmOrigin embeds: its frame is then framed by the CRM as well, and CSP
// frame-ancestors is checked against every ancestor (CSP Level 3), so
// each policy with frame-ancestors must allow the CRM too. It loads
// extURL as Check does and reports only that (KindCRMFraming);
// Check reports the rest. Nil when the CRM can frame it, or when it
// cannot be loaded.
func CheckCRM(ctx context.Context, client *http.Client, crmOrigin, extURL string) []Problem {
	resp, err := loadAsFrame(ctx, client, extURL)
	if err != nil || resp.StatusCode >= 400 {
		return nil
	}
	return CRMFraming(resp.Header, crmOrigin, extURL)
}

// badURLError is loadAsFrame's error for a URL it cannot ask for at all.
type badURLError struct{ err error }

func (e badURLError) Error() string { return e.err.Error() }

// loadAsFrame GETs extURL as a browser loads an iframe's document
// (Sec-Fetch-Dest: iframe), within Timeout, and reads only the
// response's headers (its body is closed). An extURL that is no URL is a
// badURLError; a server that does not answer, the client's error.
func loadAsFrame(ctx context.Context, client *http.Client, extURL string) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, extURL, nil)
	if err != nil {
		return nil, badURLError{err}
	}
	req.Header.Set("Sec-Fetch-Dest", "iframe")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return resp, nil
}

// CRMFraming says whether the Content-Security-Policy frame-ancestors of
// an extension's response h lets a CRM at crmOrigin be an ancestor of its
// frame, as in a panel the CRM embeds (see CheckCRM).
func CRMFraming(h http.Header, crmOrigin, extURL string) []Problem {
	self := originOf(extURL)
	var ps []Problem
	for _, policy := range cspPolicies(h.Values("Content-Security-Policy")) {
		sources, found := directive(policy, "frame-ancestors")
		if found && !frameAncestorsAllow(sources, self, crmOrigin) {
			ps = append(ps, Problem{Level: LevelError, Kind: KindCRMFraming, URL: extURL, Text: fmt.Sprintf(
				"%s sends a Content-Security-Policy whose frame-ancestors does not include the CRM's origin %s (%s): in a panel that a CRM embeds, the browser checks every ancestor of the extension's frame, so this CRM's panel cannot show it. Add %s to frame-ancestors",
				extURL, crmOrigin, strings.Join(append([]string{"frame-ancestors"}, sources...), " "), ancestorSource(crmOrigin))})
		}
	}
	return ps
}

// ReachError says why a URL could not be loaded, from the error of an
// HTTP request, without the request details the user already knows:
// "connect: connection refused", "no answer within 5 seconds".
func ReachError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err.Error()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer within 5 seconds"
	}
	return err.Error()
}

// Framing says what a browser will do with the framing headers h of an
// extension's response when the panel at panelOrigin frames extURL, by
// the rules browsers follow (the HTML standard's X-Frame-Options
// processing and CSP Level 3, as Chromium implements them):
//
//   - Each Content-Security-Policy header, and each policy in one header
//     separated by commas, is a policy of its own, and every one is
//     enforced: the panel may frame the page only if each policy that has
//     frame-ancestors allows it. In one policy only the first directive of
//     a name counts; browsers ignore the repeats.
//     Content-Security-Policy-Report-Only blocks nothing.
//   - When an enforced policy has frame-ancestors, browsers ignore
//     X-Frame-Options altogether: a warning, since it misleads its reader.
//   - X-Frame-Options DENY blocks, SAMEORIGIN blocks another origin, and
//     two different values block. ALLOW-FROM (obsolete) and values
//     browsers do not know are ignored: a warning, since the seed's
//     Configuration chapter says to send no X-Frame-Options at all.
//
// Each problem is of KindFraming; none means the panel can frame the page.
func Framing(h http.Header, panelOrigin, extURL string) []Problem {
	var ps []Problem
	self := originOf(extURL)
	ancestors := false
	for _, policy := range cspPolicies(h.Values("Content-Security-Policy")) {
		sources, found := directive(policy, "frame-ancestors")
		if !found {
			continue
		}
		ancestors = true
		if !frameAncestorsAllow(sources, self, panelOrigin) {
			ps = append(ps, Problem{Level: LevelError, Kind: KindFraming, URL: extURL, Text: fmt.Sprintf(
				"%s sends a Content-Security-Policy whose frame-ancestors does not include the panel's origin %s (%s), so the panel cannot show it. Add %s to frame-ancestors",
				extURL, panelOrigin, strings.Join(append([]string{"frame-ancestors"}, sources...), " "), ancestorSource(panelOrigin))})
		}
	}
	raw := h.Values("X-Frame-Options")
	if len(raw) == 0 {
		return ps
	}
	xfo := strings.Join(raw, ", ")
	if ancestors {
		return append(ps, Problem{Level: LevelWarning, Kind: KindFraming, URL: extURL, Text: fmt.Sprintf(
			"%s sends X-Frame-Options: %s, which browsers ignore since its Content-Security-Policy has frame-ancestors. Do not send X-Frame-Options (the specification's Configuration chapter)",
			extURL, xfo)})
	}
	switch blocks, known := xFrameOptionsBlock(xfo, self == panelOrigin); {
	case blocks:
		ps = append(ps, Problem{Level: LevelError, Kind: KindFraming, URL: extURL, Text: fmt.Sprintf(
			"%s sends X-Frame-Options: %s, so the panel cannot show it in its iframe. Do not send X-Frame-Options; allow the panel with Content-Security-Policy: frame-ancestors %s",
			extURL, xfo, ancestorSource(panelOrigin))})
	case !known:
		ps = append(ps, Problem{Level: LevelWarning, Kind: KindFraming, URL: extURL, Text: fmt.Sprintf(
			"%s sends X-Frame-Options: %s, which browsers do not know (ALLOW-FROM is obsolete) and ignore. Do not send X-Frame-Options; allow the panel with Content-Security-Policy: frame-ancestors %s",
			extURL, xfo, ancestorSource(panelOrigin))})
	default:
		ps = append(ps, Problem{Level: LevelWarning, Kind: KindFraming, URL: extURL, Text: fmt.Sprintf(
			"%s sends X-Frame-Options: %s, which lets the panel frame it; but the specification's Configuration chapter says to send no X-Frame-Options: allow the panel with Content-Security-Policy: frame-ancestors %s",
			extURL, xfo, ancestorSource(panelOrigin))})
	}
	return ps
}

// ancestorSource is the frame-ancestors source to suggest for the panel:
// its origin, or, for a panel on this machine, its host on any port, since
// cpsim test serves the panel on a free port that changes with every run.
// (Chromium refuses IPv6 literals in frame-ancestors: [::1] keeps its
// origin.)
func ancestorSource(panelOrigin string) string {
	u, err := url.Parse(panelOrigin)
	if err != nil || (u.Hostname() != "localhost" && u.Hostname() != "127.0.0.1") {
		return panelOrigin
	}
	return u.Scheme + "://" + u.Hostname() + ":*"
}

// xFrameOptionsBlock applies X-Frame-Options (its values joined by
// commas) to a frame whose parent is the panel, as the HTML standard says;
// sameOrigin is whether the page is on the panel's origin. known is false
// when browsers ignore it: no value they know.
func xFrameOptionsBlock(xfo string, sameOrigin bool) (blocks, known bool) {
	var values []string
	for _, v := range strings.Split(xfo, ",") {
		if v = strings.ToLower(strings.TrimSpace(v)); !slices.Contains(values, v) {
			values = append(values, v)
		}
	}
	recognized := func(v string) bool { return v == "deny" || v == "sameorigin" || v == "allowall" }
	if len(values) > 1 {
		// Different values conflict, which blocks, when one of them is a
		// value browsers know.
		known = slices.ContainsFunc(values, recognized)
		return known, known
	}
	switch values[0] {
	case "deny":
		return true, true
	case "sameorigin":
		return !sameOrigin, true
	case "allowall":
		return false, true
	}
	return false, false
}

// cspPolicies splits Content-Security-Policy header values into policies,
// as browsers do: a comma separates two policies in one header.
func cspPolicies(values []string) []string {
	var out []string
	for _, v := range values {
		for _, p := range strings.Split(v, ",") {
			if strings.TrimSpace(p) != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// directive returns the sources of a policy's first directive of that
// name; browsers ignore any later one.
func directive(policy, name string) (sources []string, found bool) {
	for _, dir := range strings.Split(policy, ";") {
		fields := strings.Fields(dir)
		if len(fields) > 0 && strings.EqualFold(fields[0], name) {
			return fields[1:], true
		}
	}
	return nil, false
}

// frameAncestorsAllow reports whether the sources of a frame-ancestors
// directive let panelOrigin frame a page of the origin self. No source,
// or 'none', allows nothing.
func frameAncestorsAllow(sources []string, self, panelOrigin string) bool {
	panel, err := url.Parse(panelOrigin)
	if err != nil {
		return false
	}
	for _, src := range sources {
		switch src = strings.ToLower(src); {
		case src == "*":
			// Any URL of a network scheme (CSP Level 3).
			if panel.Scheme == "http" || panel.Scheme == "https" {
				return true
			}
		case src == "'self'":
			if self == panelOrigin || strings.Replace(self, "http://", "https://", 1) == panelOrigin {
				return true
			}
		case strings.HasPrefix(src, "'"):
			// 'none', and keywords that say nothing of ancestors
		case strings.HasSuffix(src, ":") && !strings.Contains(src, "/"):
			// A scheme source; http: also allows https (CSP Level 3).
			if scheme := strings.TrimSuffix(src, ":"); scheme == panel.Scheme || (scheme == "http" && panel.Scheme == "https") {
				return true
			}
		default:
			if sourceMatches(src, panel) {
				return true
			}
		}
	}
	return false
}

// sourceMatches matches a CSP host source ("https://*.example.com:443",
// "example.com", "http://x:*/") against an origin. A source without a
// scheme, or with http, also matches https; a path other than "/" matches
// no origin.
func sourceMatches(src string, origin *url.URL) bool {
	scheme, rest, hasScheme := strings.Cut(src, "://")
	if !hasScheme {
		rest, scheme = src, ""
	}
	switch {
	case scheme == "" || scheme == origin.Scheme:
	case scheme == "http" && origin.Scheme == "https":
	default:
		return false
	}
	if i := strings.Index(rest, "/"); i >= 0 {
		if rest[i:] != "/" {
			return false
		}
		rest = rest[:i]
	}
	host, port := rest, ""
	if i := strings.LastIndex(rest, ":"); i >= 0 && !strings.Contains(rest[i:], "]") {
		host, port = rest[:i], rest[i+1:]
	}
	originPort := origin.Port()
	if originPort == "" {
		originPort = defaultPort(origin.Scheme)
	}
	switch {
	case port == "*":
	case port == "":
		// The default port of the origin's scheme (CSP Level 3).
		if originPort != defaultPort(origin.Scheme) {
			return false
		}
	case port != originPort:
		return false
	}
	hostname := strings.ToLower(origin.Hostname())
	if wild, ok := strings.CutPrefix(host, "*."); ok {
		return strings.HasSuffix(hostname, "."+wild)
	}
	return host == hostname || host == "["+hostname+"]"
}

// defaultPort is the port a URL of scheme has when it names none.
func defaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}

// Site is what browsers call a site: the scheme and the registrable domain
// (eTLD+1) of a URL, "https://example.co.uk". Two origins on one site
// share cookies as first-party; the port does not count. An address or a
// single label (localhost) is its own site. The error is url.Parse's, or
// says the URL has no host.
func Site(u string) (string, error) {
	p, err := url.Parse(u)
	if err != nil {
		return "", err
	}
	host := strings.ToLower(p.Hostname())
	if host == "" {
		return "", fmt.Errorf("%s has no host", u)
	}
	if net.ParseIP(host) != nil || !strings.Contains(host, ".") {
		return p.Scheme + "://" + host, nil // an address, or a single label such as localhost
	}
	site, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		site = host // the name is a public suffix itself
	}
	return p.Scheme + "://" + site, nil
}

// SameSite warns when the extension at extURL is served from the panel's
// own site, which production never does; nil when it is not, or when
// either URL has no host. The warning says how to put the two on
// different sites.
func SameSite(panelOrigin, extURL string) *Problem {
	ps, err1 := Site(panelOrigin)
	es, err2 := Site(extURL)
	if err1 != nil || err2 != nil || ps != es {
		return nil
	}
	fix := "serve the extension from another site"
	if alt := otherLoopbackName(extURL); alt != "" {
		fix = fmt.Sprintf("open the panel as %s instead, or serve the extension from %s", swapHost(panelOrigin, alt), swapHost(originOf(extURL), alt))
	}
	return &Problem{Level: LevelWarning, Kind: KindSameSite, URL: extURL, Text: fmt.Sprintf(
		"%s is on the same site as the panel (%s). In production an extension is on another site: its cookies are third-party and are sent only with SameSite=None; Secure, and the browser runs it in a process of its own, which makes messages slower. Here those problems stay hidden. To see them, %s.",
		extURL, ps, fix)}
}

// otherLoopbackName is the loopback name that is another site than the
// URL's host: localhost for 127.0.0.1 and the other way round.
func otherLoopbackName(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	switch p.Hostname() {
	case "127.0.0.1", "::1":
		return "localhost"
	case "localhost":
		return "127.0.0.1"
	}
	return ""
}

// swapHost is origin with another host, on the same port.
func swapHost(origin, host string) string {
	p, err := url.Parse(origin)
	if err != nil {
		return origin
	}
	if port := p.Port(); port != "" {
		p.Host = net.JoinHostPort(host, port)
	} else {
		p.Host = host
	}
	return p.Scheme + "://" + p.Host
}

// CheckAll runs Check on every URL at once and returns their problems in
// the order of urls: what cpsim test prints before it starts Chromium.
func CheckAll(ctx context.Context, client *http.Client, panelOrigin string, urls []string) []Problem {
	results := make([][]Problem, len(urls))
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Go(func() { results[i] = Check(ctx, client, panelOrigin, u) })
	}
	wg.Wait()
	var all []Problem
	for _, r := range results {
		all = append(all, r...)
	}
	return all
}

// originOf is the scheme://host[:port] of a URL, or "" when it has none.
func originOf(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Scheme == "" || p.Host == "" {
		return ""
	}
	return p.Scheme + "://" + p.Host
}
