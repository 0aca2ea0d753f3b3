package webhook_test

import (
	"bytes"
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/webhook"
)

const testSecret = "5f0c2a9e8d7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f"

func TestSignatureRoundTrip(t *testing.T) {
	body := []byte(`{"id":"0190d5e0-0000-7000-8000-000000000001","type":"message.received","version":1}`)
	sent := time.Unix(1_780_000_000, 0)
	h := webhook.Sign(testSecret, sent, body)
	if !strings.HasPrefix(h, "t=1780000000,v1=") || len(h) != len("t=1780000000,v1=")+64 {
		t.Fatalf("header %q", h)
	}
	if err := webhook.Verify(testSecret, h, body, sent.Add(30*time.Second), time.Minute); err != nil {
		t.Fatalf("a genuine delivery was rejected: %v", err)
	}
	sigHex := strings.TrimPrefix(h, "t=1780000000,v1=")
	otherSig := strings.Repeat("0", 64)
	tests := []struct {
		name   string
		secret string
		header string
		body   []byte
		now    time.Time
		want   error
	}{
		{"body changed", testSecret, h, bytes.Replace(body, []byte("received"), []byte("reseived"), 1), sent, webhook.ErrMismatch},
		{"body extended", testSecret, h, append(append([]byte{}, body...), ' '), sent, webhook.ErrMismatch},
		{"other secret", strings.Repeat("a", 64), h, body, sent, webhook.ErrMismatch},
		{"timestamp moved (replay with a fresh t)", testSecret, "t=1780000600,v1=" + sigHex, body, sent.Add(10 * time.Minute), webhook.ErrMismatch},
		{"replayed later", testSecret, h, body, sent.Add(6 * time.Minute), webhook.ErrTimestamp},
		{"from the future", testSecret, h, body, sent.Add(-6 * time.Minute), webhook.ErrTimestamp},
		{"signature changed", testSecret, "t=1780000000,v1=" + otherSig, body, sent, webhook.ErrMismatch},
		{"one of two signatures matches", testSecret, "t=1780000000,v1=" + otherSig + ",v1=" + sigHex, body, sent, nil},
		{"unknown scheme beside v1 is ignored", testSecret, "t=1780000000,v0=xyz,v1=" + sigHex, body, sent, nil},
		{"spaces are tolerated", testSecret, "t=1780000000, v1=" + sigHex, body, sent, nil},
		{"empty header", testSecret, "", body, sent, webhook.ErrMalformed},
		{"no timestamp", testSecret, "v1=" + sigHex, body, sent, webhook.ErrMalformed},
		{"no signature", testSecret, "t=1780000000", body, sent, webhook.ErrMalformed},
		{"only another scheme", testSecret, "t=1780000000,v2=" + sigHex, body, sent, webhook.ErrMalformed},
		{"bad timestamp", testSecret, "t=soon,v1=" + sigHex, body, sent, webhook.ErrMalformed},
		{"two timestamps", testSecret, "t=1780000000,t=1780000000,v1=" + sigHex, body, sent, webhook.ErrMalformed},
		{"signature not hex", testSecret, "t=1780000000,v1=" + strings.Repeat("z", 64), body, sent, webhook.ErrMalformed},
		{"signature truncated", testSecret, "t=1780000000,v1=" + sigHex[:40], body, sent, webhook.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := webhook.Verify(tc.secret, tc.header, tc.body, tc.now, time.Minute*5)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
	// Without a tolerance, the default of five minutes applies.
	if err := webhook.Verify(testSecret, h, body, sent.Add(4*time.Minute), 0); err != nil {
		t.Errorf("within the default tolerance: %v", err)
	}
	if err := webhook.Verify(testSecret, h, body, sent.Add(webhook.DefaultTolerance+time.Second), 0); !errors.Is(err, webhook.ErrTimestamp) {
		t.Errorf("past the default tolerance: %v", err)
	}
}

// TestSignatureMatchesOpenSSL checks the shell recipe of docs/WEBHOOKS.md:
// openssl computes the same v1 signature.
func TestSignatureMatchesOpenSSL(t *testing.T) {
	path, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed")
	}
	body := []byte(`{"id":"x","type":"ping.closed","data":{"name":"Check – première"}}`)
	sent := time.Unix(1_780_000_123, 0)
	cmd := exec.Command(path, "dgst", "-sha256", "-hmac", testSecret)
	cmd.Stdin = bytes.NewReader(append([]byte(strconv.FormatInt(sent.Unix(), 10)+"."), body...))
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(out))
	got := fields[len(fields)-1]
	if want := webhook.Sign(testSecret, sent, body); want != "t=1780000123,v1="+got {
		t.Fatalf("openssl computed %s; Sign gave %s", got, want)
	}
}

func FuzzVerify(f *testing.F) {
	sent := time.Unix(1_780_000_000, 0)
	f.Add(webhook.Sign(testSecret, sent, []byte("{}")), []byte("{}"))
	f.Add("t=1,v1=", []byte(""))
	f.Add("t=99999999999999999999,v1=00", []byte("x"))
	f.Add(",,,=,t==,v1==", []byte("x"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := webhook.Verify(testSecret, header, body, sent, time.Minute)
		if err == nil && header != webhook.Sign(testSecret, sent, body) {
			// Another header may only pass if it carries the genuine signature.
			if !strings.Contains(strings.ToLower(header), strings.TrimPrefix(webhook.Sign(testSecret, sent, body), "t=1780000000,")) {
				t.Fatalf("accepted %q for %q", header, body)
			}
		}
	})
}
