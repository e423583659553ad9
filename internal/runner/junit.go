package runner

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteJUnit writes results as JUnit XML, which CI systems show as tests:
// a test case per scenario, with every reason it failed in its failure,
// and in its output, as cpsim test prints them, its steps, the diagnosed
// messages of the extensions, the frames that did not load and the
// extensions' errors.
func WriteJUnit(w io.Writer, results []Result) error {
	type failure struct {
		Message string `xml:"message,attr"`
		Text    string `xml:",chardata"`
	}
	type testcase struct {
		Name      string   `xml:"name,attr"`
		Classname string   `xml:"classname,attr"`
		Time      string   `xml:"time,attr"`
		Failure   *failure `xml:"failure,omitempty"`
		SystemOut string   `xml:"system-out,omitempty"`
	}
	type testsuite struct {
		XMLName  xml.Name   `xml:"testsuite"`
		Name     string     `xml:"name,attr"`
		Tests    int        `xml:"tests,attr"`
		Failures int        `xml:"failures,attr"`
		Time     string     `xml:"time,attr"`
		Cases    []testcase `xml:"testcase"`
	}
	suite := testsuite{Name: "cpsim", Tests: len(results)}
	var total time.Duration
	for _, r := range results {
		total += r.Duration
		var steps strings.Builder
		for _, p := range r.Steps {
			fmt.Fprintf(&steps, "%s %d %s (%.2fs)\n", p.Status, p.Step.Line, p.Step.Text, p.Elapsed.Seconds())
		}
		for _, m := range r.Messages {
			fmt.Fprintf(&steps, "%s\n", messageLine(m))
		}
		for _, l := range r.FrameLoads {
			fmt.Fprintf(&steps, "frame did not load: %s\n", l)
		}
		for _, e := range r.ExtensionErrors {
			fmt.Fprintf(&steps, "extension error: %s\n", e)
		}
		c := testcase{Name: r.Scenario.Name, Classname: r.Scenario.File, Time: seconds(r.Duration), SystemOut: steps.String()}
		if r.Err != nil {
			suite.Failures++
			msg, _, _ := strings.Cut(r.Err.Error(), "\n")
			c.Failure = &failure{Message: msg, Text: r.Err.Error()}
		}
		suite.Cases = append(suite.Cases, c)
	}
	suite.Time = seconds(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(suite); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }
