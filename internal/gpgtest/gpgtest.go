// Package gpgtest drives the real gpg binary for interoperability tests:
// it makes keys in a throwaway home directory and decrypts what detente
// encrypted. Without gpg it skips, except in CI, where it fails.
package gpgtest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Home is a gpg home directory with one key pair.
type Home struct {
	t           testing.TB
	Dir         string
	Fingerprint string
	Armored     string // the public key, ASCII-armored
}

// Require skips (or, in CI, fails) when gpg is missing.
func Require(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("gpg"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("gpg is required in CI")
		}
		t.Skip("gpg not installed")
	}
}

// NewKey makes an Ed25519 signing key with a Curve25519 encryption subkey
// for uid, valid for a year.
func NewKey(t testing.TB, uid string) *Home {
	t.Helper()
	Require(t)
	// A short path: gpg-agent's socket path must fit in a sockaddr.
	dir, err := os.MkdirTemp("", "gpg")
	if err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(dir, 0o700)
	h := &Home{t: t, Dir: dir}
	t.Cleanup(func() {
		_ = exec.Command("gpgconf", "--homedir", dir, "--kill", "all").Run()
		_ = os.RemoveAll(dir)
	})
	h.Run(nil, "--quick-gen-key", uid, "ed25519", "cert", "1y")
	for _, line := range strings.Split(string(h.Run(nil, "--with-colons", "--list-keys")), "\n") {
		if strings.HasPrefix(line, "fpr:") {
			h.Fingerprint = strings.Split(line, ":")[9]
			break
		}
	}
	h.Run(nil, "--quick-add-key", h.Fingerprint, "cv25519", "encr", "1y")
	h.Armored = string(h.Run(nil, "--armor", "--export", h.Fingerprint))
	return h
}

// Run runs gpg in the home directory and returns its standard output.
func (h *Home) Run(stdin []byte, args ...string) []byte {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--homedir", h.Dir, "--batch", "--no-tty", "--pinentry-mode", "loopback", "--passphrase", ""}
	cmd := exec.CommandContext(ctx, "gpg", append(base, args...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		h.t.Fatalf("gpg %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

// Decrypt decrypts an armored OpenPGP message with the home's key.
func (h *Home) Decrypt(armored []byte) []byte { return h.Run(armored, "--decrypt") }
