package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/cpsim/cpsim/internal/extcheck"
)

// WaitForURLs waits until each URL answers over HTTP, with any status (its
// server is up), for at most wait in all: in CI the extension's dev server
// is often started in the background just before cpsim test, and needs a
// few seconds. It prints to out when it starts to wait for a URL, every 5
// seconds while it waits, and when the URL answers; a URL that answers at
// once prints nothing. A redirect is an answer: its target may be a
// sign-in page this machine cannot reach. Its error names the URL that did
// not answer and the last reason.
func WaitForURLs(ctx context.Context, urls []string, wait time.Duration, out io.Writer) error {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	w := waiter{
		probe: func(ctx context.Context, u string) error { return probe(ctx, client, u) },
		poll:  200 * time.Millisecond,
		every: 5 * time.Second,
		out:   out,
	}
	return w.wait(ctx, urls, wait)
}

// waiter waits for URLs, trying each with probe every poll and reporting
// every every.
type waiter struct {
	probe       func(ctx context.Context, url string) error
	poll, every time.Duration
	out         io.Writer
}

func (w waiter) wait(ctx context.Context, urls []string, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	start := time.Now()
	var done []string
	for _, u := range urls {
		if slices.Contains(done, u) {
			continue
		}
		done = append(done, u)
		if err := w.waitFor(ctx, u, wait-time.Since(start), wait); err != nil {
			return err
		}
	}
	return nil
}

// waitFor waits for one URL, until ctx ends; left is the time left, and
// wait the whole wait, for the messages.
func (w waiter) waitFor(ctx context.Context, u string, left, wait time.Duration) error {
	since := time.Now()
	err := w.try(ctx, u)
	if err == nil {
		return nil
	}
	fmt.Fprintf(w.out, "waiting for %s to answer (up to %s): %s\n", u, left.Round(time.Second), extcheck.ReachError(err))
	next := since.Add(w.every)
	for {
		select {
		case <-ctx.Done():
			if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return ctx.Err()
			}
			return fmt.Errorf("%s did not answer within %s (%s): start the extension's server before cpsim test, or give it longer with -wait", u, wait, extcheck.ReachError(err))
		case <-time.After(w.poll):
		}
		e := w.try(ctx, u)
		if e == nil {
			fmt.Fprintf(w.out, "%s answers (after %s)\n", u, time.Since(since).Round(100*time.Millisecond))
			return nil
		}
		if ctx.Err() != nil {
			continue // the wait's own end says nothing of the server
		}
		err = e
		if now := time.Now(); !now.Before(next) {
			fmt.Fprintf(w.out, "still waiting for %s (%s so far): %s\n", u, now.Sub(since).Round(time.Second), extcheck.ReachError(err))
			next = next.Add(w.every)
		}
	}
}

// try probes a URL once, for at most every, so that a server that takes
// the connection and never answers still gets its progress lines.
func (w waiter) try(ctx context.Context, u string) error {
	tctx, cancel := context.WithTimeout(ctx, w.every)
	defer cancel()
	err := w.probe(tctx, u)
	if err != nil && tctx.Err() != nil && ctx.Err() == nil {
		return fmt.Errorf("no answer within %s", w.every)
	}
	return err
}

// probe asks for a URL as the panel's frame will, and takes any answer.
func probe(ctx context.Context, client *http.Client, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Sec-Fetch-Dest", "iframe")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
