package pgpkey

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/detente/detente/internal/errs"
)

// testdata/fixture.asc was exported by GnuPG 2.2: Ed25519 primary key and
// Cv25519 encryption subkey, no expiry.
const (
	fixtureFpr = "E21CEFE661236183307F1379393AC730E4126585"
	fixtureUID = "Fixture POC <fixture@example.invalid>"
)

var fixtureCreated = time.Unix(1795387339, 0).UTC()

func fixture(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/fixture.asc")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustParse(t *testing.T, armored string, now time.Time) Key {
	t.Helper()
	k, err := Parse(armored, now)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return k
}

func assertInvalid(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", want)
	}
	if !errs.Is(err, errs.Invalid) {
		t.Fatalf("error code %q, want invalid: %v", errs.CodeOf(err), err)
	}
	if msg := errs.MessageOf(err); !strings.Contains(msg, want) {
		t.Fatalf("message %q, want it to contain %q", msg, want)
	}
}

func TestParseFixture(t *testing.T) {
	now := fixtureCreated.Add(24 * time.Hour)
	k := mustParse(t, fixture(t), now)
	want := Key{
		Fingerprint: fixtureFpr,
		KeyID:       "393AC730E4126585",
		Algorithm:   "Ed25519",
		UserIDs:     []string{fixtureUID},
		Created:     fixtureCreated,
		CanEncrypt:  true,
	}
	if k.Fingerprint != want.Fingerprint || k.KeyID != want.KeyID || k.Algorithm != want.Algorithm ||
		strings.Join(k.UserIDs, "|") != strings.Join(want.UserIDs, "|") || !k.Created.Equal(want.Created) ||
		k.Expires != nil || !k.CanEncrypt {
		t.Fatalf("got %+v\nwant %+v", k, want)
	}
	if got, want := k.FormatFingerprint(), "E21C EFE6 6123 6183 307F 1379 393A C730 E412 6585"; got != want {
		t.Fatalf("FormatFingerprint = %q, want %q", got, want)
	}
}

func TestParseToleratesPastingDamage(t *testing.T) {
	now := fixtureCreated.Add(time.Hour)
	plain := fixture(t)
	indented := ""
	for _, l := range strings.Split(plain, "\n") {
		indented += "    " + l + "  \n"
	}
	tests := []struct{ name, in string }{
		{name: "as exported", in: plain},
		{name: "CRLF line ends", in: strings.ReplaceAll(plain, "\n", "\r\n")},
		{name: "indented and trailing blanks", in: indented},
		{name: "surrounding text", in: "Here is my key:\n\n" + plain + "\nRegards,\nPOC\n"},
		{name: "no trailing newline", in: strings.TrimSpace(plain)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if k := mustParse(t, tc.in, now); k.Fingerprint != fixtureFpr {
				t.Fatalf("Fingerprint = %s", k.Fingerprint)
			}
		})
	}
}

func TestParseRejectsNonKeys(t *testing.T) {
	now := fixtureCreated.Add(time.Hour)
	fx := fixture(t)
	body := strings.SplitN(fx, "\n\n", 2)[1]
	tests := []struct{ name, in, want string }{
		{name: "empty", in: "", want: "not an OpenPGP public key block"},
		{name: "fingerprint only", in: fixtureFpr, want: "not an OpenPGP public key block"},
		{name: "base64 without armor", in: body, want: "not an OpenPGP public key block"},
		{name: "header only", in: "-----BEGIN PGP PUBLIC KEY BLOCK-----\n-----END PGP PUBLIC KEY BLOCK-----\n", want: "not an OpenPGP public key block"},
		{name: "empty body", in: "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n-----END PGP PUBLIC KEY BLOCK-----\n", want: "not an OpenPGP public key block"},
		{name: "signature block", in: strings.ReplaceAll(fx, "PUBLIC KEY BLOCK", "SIGNATURE"), want: "not an OpenPGP public key block"},
		{name: "SSH key", in: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHnS8rZMCP8u3dZ2H1n5GqMUdiPQTA6yZ4HBgU3D+Fvx poc@example", want: "not an OpenPGP public key block"},
		{name: "corrupted base64", in: strings.Replace(fx, "mDMEawNvyx", "mDMEawNvyX", 1), want: "could not be read"},
		{name: "secret block anywhere", in: fx + "\n-----BEGIN PGP PRIVATE KEY BLOCK-----\n", want: "this is a private key"},
		{name: "too large", in: fx + strings.Repeat(" ", MaxSize), want: "larger than 64 KiB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := Parse(tc.in, now)
			assertInvalid(t, err, tc.want)
			if k.Fingerprint != "" {
				t.Fatalf("description returned for unreadable input: %+v", k)
			}
		})
	}
}

// Cases gpg cannot easily produce non-interactively are built with the
// library itself.
func TestParseLibraryBuiltKeys(t *testing.T) {
	now := time.Now()
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Time: func() time.Time { return now.Add(-time.Hour) }}

	newEntity := func(t *testing.T) *openpgp.Entity {
		e, err := openpgp.NewEntity("Lib POC", "", "lib@example.invalid", cfg)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	armorPublic := func(t *testing.T, e *openpgp.Entity) string {
		var b bytes.Buffer
		w, _ := armor.Encode(&b, openpgp.PublicKeyType, nil)
		if err := e.Serialize(w); err != nil {
			t.Fatal(err)
		}
		w.Close()
		return b.String()
	}

	t.Run("fresh key is usable", func(t *testing.T) {
		k := mustParse(t, armorPublic(t, newEntity(t)), now)
		if !k.CanEncrypt || k.Algorithm != "Ed25519" {
			t.Fatalf("got %+v", k)
		}
	})
	t.Run("revoked encryption subkey", func(t *testing.T) {
		e := newEntity(t)
		if err := e.RevokeSubkey(&e.Subkeys[0], packet.KeySuperseded, "", cfg); err != nil {
			t.Fatal(err)
		}
		_, err := Parse(armorPublic(t, e), now)
		assertInvalid(t, err, "the encryption subkey has been revoked")
	})
	t.Run("revoked primary key", func(t *testing.T) {
		e := newEntity(t)
		if err := e.RevokeKey(packet.KeyCompromised, "lost laptop", cfg); err != nil {
			t.Fatal(err)
		}
		_, err := Parse(armorPublic(t, e), now)
		assertInvalid(t, err, "the key has been revoked")
	})
	t.Run("private key under public armor", func(t *testing.T) {
		var b bytes.Buffer
		w, _ := armor.Encode(&b, openpgp.PublicKeyType, nil)
		if err := newEntity(t).SerializePrivate(w, cfg); err != nil {
			t.Fatal(err)
		}
		w.Close()
		_, err := Parse(b.String(), now)
		assertInvalid(t, err, "this is a private key — paste the public key only")
	})
}

func TestFormatFingerprint(t *testing.T) {
	tests := []struct{ in, want string }{
		{in: "", want: ""},
		{in: "ABCD", want: "ABCD"},
		{in: "ABCDEF", want: "ABCD EF"},
		{in: strings.Repeat("0123", 16), want: strings.TrimSpace(strings.Repeat("0123 ", 16))},
	}
	for _, tc := range tests {
		if got := (Key{Fingerprint: tc.in}).FormatFingerprint(); got != tc.want {
			t.Errorf("FormatFingerprint(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEncryptNoRecipients(t *testing.T) {
	_, err := Encrypt(nil, []byte("x"), time.Now())
	assertInvalid(t, err, "no recipient")
}

// libKey makes a fresh key with the library, dated by the wall clock that
// Encrypt checks against (the fixture's date may be ahead of a test host).
func libKey(t *testing.T) (*openpgp.Entity, Key) {
	t.Helper()
	now := time.Now()
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Time: func() time.Time { return now.Add(-time.Hour) }}
	e, err := openpgp.NewEntity("Lib POC", "", "lib@example.invalid", cfg)
	if err != nil {
		t.Fatal(err)
	}
	var pub bytes.Buffer
	w, _ := armor.Encode(&pub, openpgp.PublicKeyType, nil)
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return e, mustParse(t, pub.String(), now)
}

func TestEncryptRefusesMismatchedFingerprint(t *testing.T) {
	_, k := libKey(t)
	k.Fingerprint = strings.Repeat("0", 40)
	if _, err := Encrypt([]Key{k}, []byte("x"), time.Now()); !errs.Is(err, errs.Internal) {
		t.Fatalf("Encrypt with a fingerprint not matching Armored: err = %v, want internal", err)
	}
}

func TestEncryptRoundTripInProcess(t *testing.T) {
	// Complements the gpg interop test where gpg is missing: decrypt with
	// the library using a key it generated.
	e, k := libKey(t)
	msg, err := Encrypt([]Key{k}, []byte("secret ping"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	block, err := armor.Decode(bytes.NewReader(msg))
	if err != nil || block.Type != "PGP MESSAGE" {
		t.Fatalf("armor: %v %v", err, block)
	}
	md, err := openpgp.ReadMessage(block.Body, openpgp.EntityList{e}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if _, err := got.ReadFrom(md.UnverifiedBody); err != nil {
		t.Fatal(err)
	}
	if got.String() != "secret ping" {
		t.Fatalf("decrypted %q", got.String())
	}
}

func FuzzParse(f *testing.F) {
	fx := fixture(f)
	f.Add(fx)
	f.Add(strings.ReplaceAll(fx, "\n", "\r\n"))
	f.Add(fx + fx)
	f.Add("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxsBN\n-----END PGP PUBLIC KEY BLOCK-----\n")
	f.Add("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n\n=AAAA\n-----END PGP PUBLIC KEY BLOCK-----")
	now := fixtureCreated.Add(time.Hour)
	f.Fuzz(func(t *testing.T, s string) {
		k, err := Parse(s, now)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("error is not Invalid: %v", err)
			}
			return
		}
		// Whatever is accepted must re-read to the same key.
		again, err := Parse(k.Armored, now)
		if err != nil || again.Fingerprint != k.Fingerprint || again.Armored != k.Armored {
			t.Fatalf("accepted key does not survive re-armoring: %v", err)
		}
	})
}
