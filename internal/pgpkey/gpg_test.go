package pgpkey

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// gpgHome is a throw-away GnuPG home directory driven through the real
// gpg binary, so the tests check interoperability, not our own assumptions.
type gpgHome struct {
	t   *testing.T
	dir string
}

// requireGPG skips without gpg, except in CI where interop must be tested.
func requireGPG(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("gpg"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("gpg required in CI")
		}
		t.Skip("gpg not installed")
	}
}

func newGPG(t *testing.T) *gpgHome {
	t.Helper()
	requireGPG(t)
	dir, err := os.MkdirTemp("", "gpg") // short path: the agent socket lives here
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = exec.CommandContext(ctx, "gpgconf", "--homedir", dir, "--kill", "all").Run()
		os.RemoveAll(dir)
	})
	return &gpgHome{t: t, dir: dir}
}

// run calls gpg non-interactively with a timeout and returns stdout.
func (g *gpgHome) run(stdin []byte, args ...string) []byte {
	g.t.Helper()
	out, err := g.try(stdin, args...)
	if err != nil {
		g.t.Fatalf("gpg %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func (g *gpgHome) try(stdin []byte, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	full := append([]string{"--batch", "--no-tty", "--homedir", g.dir, "--pinentry-mode", "loopback", "--passphrase", ""}, args...)
	cmd := exec.CommandContext(ctx, "gpg", full...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, &gpgError{err: err, stderr: stderr.String()}
	}
	return stdout.Bytes(), nil
}

type gpgError struct {
	err    error
	stderr string
}

func (e *gpgError) Error() string { return e.err.Error() + "\n" + e.stderr }

// genKey creates a primary key, optionally with an encryption subkey, and
// returns its fingerprint. extra goes before the command (e.g. faked time).
func (g *gpgHome) genKey(uid, algo, usage, expire, subAlgo string, extra ...string) string {
	g.t.Helper()
	g.run(nil, append(extra, "--quick-gen-key", uid, algo, usage, expire)...)
	fpr := g.fingerprint(uid)
	if subAlgo != "" {
		g.run(nil, append(minuteLater(extra), "--quick-add-key", fpr, subAlgo, "encr", expire)...)
	}
	return fpr
}

// minuteLater moves a --faked-system-time in args a minute on. A faked
// clock starts again at the time given each run, and a primary key made
// on a busy machine can be a second old by then: gpg refuses to add a
// subkey dated before it.
func minuteLater(args []string) []string {
	const flag = "--faked-system-time="
	out := slices.Clone(args)
	for i, a := range out {
		if t, err := time.Parse("20060102T150405", strings.TrimPrefix(a, flag)); strings.HasPrefix(a, flag) && err == nil {
			out[i] = flag + t.Add(time.Minute).Format("20060102T150405")
		}
	}
	return out
}

// colons returns gpg's machine-readable listing of the key.
func (g *gpgHome) colons(id string) [][]string {
	var recs [][]string
	for _, l := range strings.Split(string(g.run(nil, "--with-colons", "--fixed-list-mode", "--list-keys", id)), "\n") {
		if l != "" {
			recs = append(recs, strings.Split(l, ":"))
		}
	}
	return recs
}

func (g *gpgHome) fingerprint(id string) string {
	for _, r := range g.colons(id) {
		if r[0] == "fpr" {
			return r[9]
		}
	}
	g.t.Fatalf("no fingerprint for %s", id)
	return ""
}

// expiries returns the expiry times gpg reports for the primary key and
// its subkeys (nil where there is none).
func (g *gpgHome) expiries(id string) (primary *time.Time, subs []*time.Time) {
	for _, r := range g.colons(id) {
		if r[0] != "pub" && r[0] != "sub" {
			continue
		}
		var exp *time.Time
		if r[6] != "" {
			n, err := strconv.ParseInt(r[6], 10, 64)
			if err != nil {
				g.t.Fatal(err)
			}
			t := time.Unix(n, 0).UTC()
			exp = &t
		}
		if r[0] == "pub" {
			primary = exp
		} else {
			subs = append(subs, exp)
		}
	}
	return primary, subs
}

func (g *gpgHome) export(id string) string {
	return string(g.run(nil, "--armor", "--export", id))
}

func TestParseGPGKeys(t *testing.T) {
	g := newGPG(t)
	ed := g.genKey("Test POC <poc@example.invalid>", "ed25519", "cert", "1y", "cv25519")
	rsa := g.genKey("RSA POC <rsa@example.invalid>", "rsa3072", "cert,sign", "never", "rsa3072")
	now := time.Now()

	tests := []struct {
		name      string
		fpr       string
		algorithm string
		userIDs   []string
	}{
		{name: "Ed25519 with Cv25519 subkey", fpr: ed, algorithm: "Ed25519", userIDs: []string{"Test POC <poc@example.invalid>"}},
		{name: "RSA 3072 with RSA subkey", fpr: rsa, algorithm: "RSA 3072", userIDs: []string{"RSA POC <rsa@example.invalid>"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := Parse(g.export(tc.fpr), now)
			if err != nil {
				t.Fatal(err)
			}
			if k.Fingerprint != tc.fpr {
				t.Errorf("Fingerprint = %s, gpg says %s", k.Fingerprint, tc.fpr)
			}
			if k.KeyID != tc.fpr[24:] {
				t.Errorf("KeyID = %s, want %s", k.KeyID, tc.fpr[24:])
			}
			if k.Algorithm != tc.algorithm {
				t.Errorf("Algorithm = %q, want %q", k.Algorithm, tc.algorithm)
			}
			if strings.Join(k.UserIDs, "|") != strings.Join(tc.userIDs, "|") {
				t.Errorf("UserIDs = %q, want %q", k.UserIDs, tc.userIDs)
			}
			if !k.CanEncrypt {
				t.Error("CanEncrypt = false")
			}
			if d := now.Sub(k.Created); d < 0 || d > 10*time.Minute {
				t.Errorf("Created = %v, expected moments before %v", k.Created, now)
			}
			// Expires is the earliest of the primary key's and the
			// encryption subkey's expiry, as gpg lists them.
			want, subs := g.expiries(tc.fpr)
			for _, s := range subs {
				if s != nil && (want == nil || s.Before(*want)) {
					want = s
				}
			}
			switch {
			case want == nil && k.Expires != nil:
				t.Errorf("Expires = %v, gpg says never", k.Expires)
			case want != nil && (k.Expires == nil || !k.Expires.Equal(*want)):
				t.Errorf("Expires = %v, gpg says %v", k.Expires, want)
			}
			if !strings.HasPrefix(k.Armored, "-----BEGIN PGP PUBLIC KEY BLOCK-----\n") {
				t.Errorf("Armored does not start with the armor header:\n%s", k.Armored)
			}
			again, err := Parse(k.Armored, now)
			if err != nil {
				t.Fatalf("re-parsing Armored: %v", err)
			}
			if again.Armored != k.Armored || again.Fingerprint != k.Fingerprint {
				t.Error("Armored is not stable under Parse")
			}

			// gpg must accept our normalised export as the same key.
			other := newGPG(t)
			other.run([]byte(k.Armored), "--import")
			if got := other.fingerprint(tc.fpr); got != tc.fpr {
				t.Errorf("gpg imported %s, want %s", got, tc.fpr)
			}
		})
	}
}

func TestParseGPGUserIDs(t *testing.T) {
	g := newGPG(t)
	fpr := g.genKey("Alpha <alpha@example.invalid>", "ed25519", "cert", "never", "cv25519")
	g.run(nil, "--quick-add-uid", fpr, "Beta <beta@example.invalid>")
	g.run(nil, "--quick-add-uid", fpr, "Gamma <gamma@example.invalid>")
	g.run(nil, "--quick-set-primary-uid", fpr, "Gamma <gamma@example.invalid>")
	g.run(nil, "--quick-revoke-uid", fpr, "Beta <beta@example.invalid>")

	k, err := Parse(g.export(fpr), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Gamma <gamma@example.invalid>", "Alpha <alpha@example.invalid>"}
	if strings.Join(k.UserIDs, "|") != strings.Join(want, "|") {
		t.Fatalf("UserIDs = %q, want %q (primary first, revoked left out)", k.UserIDs, want)
	}
}

func TestParseGPGRefusals(t *testing.T) {
	g := newGPG(t)
	good := g.genKey("Good <good@example.invalid>", "ed25519", "cert", "never", "cv25519")
	other := g.genKey("Other <other@example.invalid>", "ed25519", "cert", "never", "cv25519")
	certOnly := g.genKey("Cert only <cert@example.invalid>", "ed25519", "cert", "never", "")
	weak := g.genKey("Weak <weak@example.invalid>", "rsa1024", "cert,sign", "never", "rsa1024")
	shortSub := g.genKey("Short sub <short@example.invalid>", "ed25519", "cert", "never", "")
	g.run(nil, "--quick-add-key", shortSub, "cv25519", "encr", "1d")

	faked := "--faked-system-time=20200101T000000"
	expired := g.genKey("Old <old@example.invalid>", "ed25519", "cert", "1y", "cv25519", faked)
	expiredOn, _ := g.expiries(expired)

	revoked := g.genKey("Revoked <revoked@example.invalid>", "ed25519", "cert", "never", "cv25519")
	rev, err := os.ReadFile(filepath.Join(g.dir, "openpgp-revocs.d", revoked+".rev"))
	if err != nil {
		t.Fatal(err)
	}
	// gpg guards the stored certificate with a leading colon.
	g.run([]byte(strings.Replace(string(rev), ":-----BEGIN", "-----BEGIN", 1)), "--import")
	now := time.Now()

	secret := string(g.run(nil, "--armor", "--export-secret-keys", good))
	relabelled := strings.ReplaceAll(secret, "PRIVATE KEY BLOCK", "PUBLIC KEY BLOCK")
	bothInOneBlock := string(g.run(nil, "--armor", "--export", good, other))
	goodArmored := g.export(good)
	message, err := Encrypt([]Key{mustParse(t, goodArmored, now)}, []byte("hello"), time.Now())
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		in      string
		now     time.Time
		want    string
		hasDesc bool // the key was read, so its description comes back too
	}{
		{name: "expired primary key", in: g.export(expired), now: now, want: "the key has expired on " + expiredOn.Format("2006-01-02"), hasDesc: true},
		{name: "revoked", in: g.export(revoked), now: now, want: "the key has been revoked", hasDesc: true},
		{name: "no encryption subkey", in: g.export(certOnly), now: now, want: "the key has no encryption subkey", hasDesc: true},
		{name: "expired encryption subkey", in: g.export(shortSub), now: now.AddDate(0, 0, 3), want: "the encryption subkey has expired on", hasDesc: true},
		{name: "weak RSA", in: g.export(weak), now: now, want: "the key is too weak (RSA 1024)", hasDesc: true},
		{name: "created in the future", in: goodArmored, now: now.Add(-time.Hour), want: "created in the future", hasDesc: true},
		{name: "clock a few minutes behind the key's", in: goodArmored, now: now.Add(-5 * time.Minute), want: ""},
		{name: "secret key", in: secret, now: now, want: "this is a private key — paste the public key only"},
		{name: "secret key labelled public", in: relabelled, now: now, want: "this is a private key — paste the public key only"},
		{name: "secret key after public key", in: goodArmored + secret, now: now, want: "this is a private key — paste the public key only"},
		{name: "two keys in one block", in: bothInOneBlock, now: now, want: "more than one key in the block"},
		{name: "two blocks", in: goodArmored + g.export(other), now: now, want: "more than one key in the block"},
		{name: "encrypted message", in: string(message), now: now, want: "not an OpenPGP public key block"},
		{name: "truncated block", in: goodArmored[:len(goodArmored)/2] + "\n-----END PGP PUBLIC KEY BLOCK-----\n", now: now, want: "could not be read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := Parse(tc.in, tc.now)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			assertInvalid(t, err, tc.want)
			if tc.hasDesc && k.Fingerprint == "" {
				t.Error("no key description returned with the error")
			}
			if !tc.hasDesc && k.Fingerprint != "" {
				t.Errorf("unexpected description %+v", k)
			}
		})
	}
}

func TestEncryptGPGDecrypts(t *testing.T) {
	g := newGPG(t)
	ed := g.genKey("Ed POC <ed@example.invalid>", "ed25519", "cert", "1y", "cv25519")
	rsa := g.genKey("RSA POC <rsa@example.invalid>", "rsa3072", "cert,sign", "1y", "rsa3072")
	now := time.Now()
	edKey, rsaKey := mustParse(t, g.export(ed), now), mustParse(t, g.export(rsa), now)

	plaintext := []byte("Content-Type: text/plain; charset=utf-8\r\n\r\nTLP:AMBER — ping 2024-06 ✓\r\n" + strings.Repeat("x", 100000))
	tests := []struct {
		name string
		to   []Key
	}{
		{name: "Cv25519 recipient", to: []Key{edKey}},
		{name: "RSA recipient", to: []Key{rsaKey}},
		{name: "two recipients", to: []Key{edKey, rsaKey}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg, err := Encrypt(tc.to, plaintext, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(msg, []byte("-----BEGIN PGP MESSAGE-----\n")) {
				t.Fatalf("not an armored message:\n%.200s", msg)
			}
			got := g.run(msg, "--decrypt")
			if !bytes.Equal(got, plaintext) {
				t.Fatalf("gpg decrypted %d bytes, want %d", len(got), len(plaintext))
			}
		})
	}
}

func TestEncryptRefusesUnusableKey(t *testing.T) {
	g := newGPG(t)
	// Valid when parsed, expired by the time a message is sent.
	fpr := g.genKey("Old <old@example.invalid>", "ed25519", "cert", "1y", "cv25519", "--faked-system-time=20200101T000000")
	k := mustParse(t, g.export(fpr), time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC))
	_, err := Encrypt([]Key{k}, []byte("x"), time.Now())
	assertInvalid(t, err, "cannot encrypt to key "+k.FormatFingerprint()+": the key has expired on")
	// The key is judged at the time given, not the machine's: a sender
	// whose clock says mid-2020 may still use it.
	if _, err := Encrypt([]Key{k}, []byte("x"), time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatalf("encrypting at a time the key was valid: %v", err)
	}
}

func TestParseDropsThirdPartySignatures(t *testing.T) {
	g := newGPG(t)
	poc := g.genKey("POC <poc@example.invalid>", "ed25519", "cert", "never", "cv25519")
	signer := g.genKey("Signer <signer@example.invalid>", "ed25519", "cert", "never", "")
	g.run(nil, "-u", signer, "--quick-sign-key", poc)
	exported := g.export(poc)
	k := mustParse(t, exported, time.Now())

	fresh := newGPG(t)
	fresh.run([]byte(k.Armored), "--import")
	sigs := string(fresh.run(nil, "--with-colons", "--list-sigs", poc))
	if strings.Contains(sigs, signer[24:]) {
		t.Fatalf("third-party signature kept:\n%s", sigs)
	}
	if len(k.Armored) >= len(exported) {
		t.Fatalf("normalised key (%d bytes) not smaller than gpg's export (%d bytes)", len(k.Armored), len(exported))
	}
}
