package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Headers of every delivery.
const (
	HeaderEvent     = "Detente-Event"     // the event type, e.g. message.received
	HeaderDelivery  = "Detente-Delivery"  // the event id: deduplicate on it
	HeaderSignature = "Detente-Signature" // t=<unix seconds>,v1=<hex HMAC-SHA256>
)

// DefaultTolerance is how far a signature's timestamp may be from the
// receiver's clock when Verify is given no tolerance.
const DefaultTolerance = 5 * time.Minute

// Errors Verify returns.
var (
	ErrMalformed = errors.New("webhook signature: malformed header")
	ErrMismatch  = errors.New("webhook signature: no signature matches the body")
	ErrTimestamp = errors.New("webhook signature: timestamp outside the tolerance (replayed or delayed)")
)

// mac computes the v1 signature: HMAC-SHA256, keyed with the secret's
// characters as shown to the administrator, over "<t>.<raw body>".
func mac(secret string, t int64, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(strconv.FormatInt(t, 10)))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Sign returns the Detente-Signature header value for body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := t.Unix()
	return "t=" + strconv.FormatInt(ts, 10) + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

// Verify checks a Detente-Signature header against the raw request body
// as received (before any JSON parsing). It accepts the header when one of
// its v1 signatures matches and its timestamp is within tolerance of now
// (DefaultTolerance if tolerance is not positive), which bounds replays;
// receivers should also drop a Detente-Delivery id they have seen.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	ts, sigs, err := parseSignature(header)
	if err != nil {
		return err
	}
	want := mac(secret, ts, body)
	matched := false
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			matched = true
		}
	}
	if !matched {
		return ErrMismatch
	}
	skew := now.Sub(time.Unix(ts, 0))
	if skew > tolerance || skew < -tolerance {
		return ErrTimestamp
	}
	return nil
}

// parseSignature reads "t=<unix>,v1=<hex>[,v1=<hex>…]". Unknown schemes
// are skipped, so a later scheme can be added beside v1.
func parseSignature(header string) (int64, [][]byte, error) {
	if len(header) > 4096 {
		return 0, nil, ErrMalformed
	}
	var ts int64
	haveTS := false
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return 0, nil, ErrMalformed
		}
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || haveTS || n <= 0 {
				return 0, nil, ErrMalformed
			}
			ts, haveTS = n, true
		case "v1":
			b, err := hex.DecodeString(v)
			if err != nil || len(b) != sha256.Size {
				return 0, nil, ErrMalformed
			}
			sigs = append(sigs, b)
		}
	}
	if !haveTS || len(sigs) == 0 {
		return 0, nil, ErrMalformed
	}
	return ts, sigs, nil
}
