package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/store"
)

// outcome of one attempt, as the delivery log records it.
type outcome struct {
	status    int
	err       error
	permanent bool
}

// deliver POSTs one event to one subscription: 2xx is done; 4xx other
// than 408 and 429 will not get better and fails at once; anything else
// (5xx, 408, 429, a redirect, a network error) is retried with the queue's
// backoff until the job's attempts run out.
func (s *Service) deliver(ctx context.Context, j jobs.Job) error {
	var p deliveryJob
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	ep, err := selectEndpoint(ctx, s.db.R, p.WebhookID)
	if store.NoRows(err) {
		return jobs.Permanent(fmt.Errorf("webhook %s is gone", p.WebhookID))
	}
	if err != nil {
		return err
	}
	ended, err := deliveryEnded(ctx, s.db.R, p.DeliveryID)
	if err != nil {
		return err
	}
	if ended {
		return nil // done before (a job run again after its lease), or dropped
	}
	if ep.deleted || !ep.active {
		// Not an attempt: the subscriber turned it off meanwhile.
		return failDelivery(ctx, s.db.W, p.DeliveryID, s.clock.Now().UTC(), "not sent: the webhook was disabled or deleted")
	}
	secret, err := s.sealer.open(p.WebhookID, ep.secret)
	if err != nil {
		return s.finish(ctx, j, p, outcome{err: err, permanent: true})
	}
	return s.finish(ctx, j, p, s.post(ctx, ep.url, secret, p))
}

// finish records the attempt and tells the queue what to do next.
func (s *Service) finish(ctx context.Context, j jobs.Job, p deliveryJob, o outcome) error {
	last := o.permanent || j.Attempt >= j.MaxAttempts
	if err := s.record(ctx, p.DeliveryID, o, last); err != nil {
		return err
	}
	switch {
	case o.err == nil:
		return nil
	case o.permanent:
		return jobs.Permanent(o.err)
	}
	return o.err
}

// post makes one attempt.
func (s *Service) post(ctx context.Context, target, secret string, p deliveryJob) outcome {
	body := []byte(p.Body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return outcome{err: fmt.Errorf("bad webhook URL: %w", err), permanent: true}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "detente-webhook/1")
	req.Header.Set(HeaderEvent, p.EventType)
	req.Header.Set(HeaderDelivery, p.EventID)
	req.Header.Set(HeaderSignature, Sign(secret, s.clock.Now(), body))
	res, err := s.client.Do(req)
	if err != nil {
		// A refused address will not become public by retrying.
		return outcome{err: err, permanent: errors.Is(err, ErrForbiddenAddress)}
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10)) // lets the connection be reused
	code := res.StatusCode
	switch {
	case code >= 200 && code < 300:
		return outcome{status: code}
	case code >= 300 && code < 400:
		return outcome{status: code, err: fmt.Errorf("HTTP %d: redirects are not followed; subscribe the final address (Location: %.200s)", code, res.Header.Get("Location"))}
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests:
		return outcome{status: code, err: fmt.Errorf("HTTP %d %s", code, http.StatusText(code))}
	case code >= 400 && code < 500:
		return outcome{status: code, err: fmt.Errorf("HTTP %d %s", code, http.StatusText(code)), permanent: true}
	}
	return outcome{status: code, err: fmt.Errorf("HTTP %d %s", code, http.StatusText(code))}
}

// record writes an attempt into the delivery log; last marks the end of
// the road: delivered, or given up.
func (s *Service) record(ctx context.Context, id string, o outcome, last bool) error {
	now := s.clock.Now().UTC()
	msg := ""
	var deliveredAt, failedAt any
	if o.err == nil {
		deliveredAt = now
	} else {
		msg = o.err.Error()
		if len(msg) > 500 {
			msg = msg[:500]
		}
		if last {
			failedAt = now
		}
	}
	if err := recordAttempt(context.WithoutCancel(ctx), s.db.W, id, o.status, msg, now, deliveredAt, failedAt); err != nil {
		return fmt.Errorf("webhook delivery log: %w", err)
	}
	if o.err != nil {
		s.log.Warn("webhook delivery failed", "delivery", id, "status", o.status, "final", last, "err", msg)
	}
	return nil
}
