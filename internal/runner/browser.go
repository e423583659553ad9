package runner

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/chromedp/chromedp"
)

// ErrNoChromium is returned when Chromium cannot be found.
var ErrNoChromium = errors.New("Chromium was not found: install it (on Debian or Ubuntu: apt-get install -y chromium) or give its path with -chromium or CPSIM_CHROMIUM")

// FindChromium returns the path of a Chromium or Chrome to run.
func FindChromium(given string) (string, error) {
	if given != "" {
		if _, err := exec.LookPath(given); err != nil {
			return "", fmt.Errorf("%s: %w", given, ErrNoChromium)
		}
		return given, nil
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// BrowserOptions are how cpsim test runs Chromium: as an agent's browser
// is set, so that an extension behaves in CI as it will at work, and
// headless on a CI machine. Each flag that differs from a stock Chromium
// has a reason, written here and in docs/chromium.md; chromedp's
// DefaultExecAllocatorOptions are not taken, since some of them change
// what a page sees (popup blocking off, navigator.webdriver set, ...).
func BrowserOptions(path, profile string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		// A fresh profile for every run, which allows third-party cookies
		// as most users' browsers do (NewProfile), and is past its first run
		// (no welcome page or import of another browser's settings).
		chromedp.UserDataDir(profile),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		// No window on a CI machine; a laptop's screen, as an agent's.
		chromedp.Flag("headless", true),
		chromedp.WindowSize(1440, 900),
		// Headless and the DevTools pipe chromedp drives it by make Chromium
		// set navigator.webdriver, which an agent's browser does not: an
		// extension or its sign-in page that checks it (bot protection
		// does) would behave otherwise in CI. This keeps it false.
		chromedp.Flag("disable-blink-features", "AutomationControlled"),
		// A softphone extension that rings makes no sound on the machine
		// running the tests; its audio works the same for the page.
		chromedp.Flag("mute-audio", true),
		// Chromium refuses to start as root with its sandbox, and a
		// container rarely lets it make the namespaces the sandbox needs.
		// The sandbox does not change what a page sees.
		chromedp.NoSandbox,
		// Docker gives a container 64 MB of /dev/shm, too little for
		// Chromium's shared memory: tabs crash. Use /tmp instead.
		chromedp.Flag("disable-dev-shm-usage", true),
		// No traffic of Chromium's own (field trials, component and Safe
		// Browsing updates, ...): on a closed CI network these connections
		// are refused, and on an open one they are not the test's business.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		// Passwords in the profile, not in a desktop keyring that a CI
		// machine does not run (Chromium would wait for it over D-Bus).
		chromedp.Flag("password-store", "basic"),
	}
}

// NewProfile makes a Chromium profile that allows third-party cookies, as
// most users' browsers do. A fresh profile of Debian's Chromium blocks them
// all, and then no extension cookie comes back from inside the panel,
// whatever its SameSite: the difference the seed's Configuration chapter
// is about would not show.
func NewProfile() (string, error) {
	dir, err := os.MkdirTemp("", "cpsim-chromium-")
	if err != nil {
		return "", err
	}
	prefs := `{"profile": {"cookie_controls_mode": 0, "block_third_party_cookies": false}}`
	if err := os.MkdirAll(filepath.Join(dir, "Default"), 0o700); err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, "Default", "Preferences"), []byte(prefs), 0o600)
}
