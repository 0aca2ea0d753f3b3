// Package pgpkey reads the OpenPGP public keys POCs paste into the
// directory, tells whether they can be used, and encrypts to them.
//
// Errors are errs.Invalid with a message a person can act on, so callers
// can put errs.MessageOf(err) next to the key field as it is.
package pgpkey

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/detente/detente/internal/errs"
)

// MaxSize bounds the pasted text. A public key with a few subkeys is a few
// KiB; anything much larger is a key carrying many third-party signatures,
// which we do not need, or not a key at all.
const MaxSize = 64 << 10

// clockSkew is how far ahead of ours the clock of the computer that made
// a key may run: people paste a key minutes after creating it, and a laptop
// a little fast must not make the key "created in the future". Keys are
// judged at now+clockSkew, which only ever accepts more.
const clockSkew = 10 * time.Minute

// minRSABits is the smallest RSA, DSA or ElGamal key accepted; 1024-bit
// keys can be factored by well-resourced adversaries, who are exactly the
// ones interested in State-to-State traffic.
const minRSABits = 2048

// Key describes a usable public key.
type Key struct {
	Fingerprint string     // upper-case hex of the primary key: 40 digits for v4, 64 for v6
	KeyID       string     // upper-case hex, 16 digits
	Algorithm   string     // of the primary key, e.g. "Ed25519", "RSA 3072"
	UserIDs     []string   // valid (not revoked) user IDs, primary first
	Created     time.Time  // UTC
	Expires     *time.Time // when encryption to the key stops working; nil if never
	CanEncrypt  bool       // an encryption subkey is valid at the time given to Parse
	Armored     string     // the key re-armored without third-party signatures
}

// FormatFingerprint groups the fingerprint in blocks of four for reading
// aloud or comparing by eye.
func (k Key) FormatFingerprint() string {
	var b strings.Builder
	for i := 0; i < len(k.Fingerprint); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k.Fingerprint[i:min(i+4, len(k.Fingerprint))])
	}
	return b.String()
}

const (
	blockStart   = "-----BEGIN PGP PUBLIC KEY BLOCK-----"
	msgNotKey    = "not an OpenPGP public key block"
	msgPrivate   = "this is a private key — paste the public key only"
	msgRevoked   = "the key has been revoked"
	msgNoEncrypt = "the key has no encryption subkey"
	msgMultiple  = "more than one key in the block"
)

func invalid(format string, args ...any) error { return errs.E(errs.Invalid, format, args...) }

// Parse reads one ASCII-armored public key and checks it can be used at
// now: not revoked, not expired, with a valid encryption subkey, not weak.
// now normally comes from the service's clock.
//
// When the key itself was read but is unusable, Parse returns its
// description together with the error, so the caller can say which key
// (fingerprint, expiry) was refused. Otherwise the Key is zero on error.
func Parse(armored string, now time.Time) (Key, error) {
	_, k, err := load(armored, now.Add(clockSkew))
	return k, err
}

// load reads, describes and checks a key at now.
func load(armored string, now time.Time) (e *openpgp.Entity, k Key, err error) {
	// The library is fed untrusted bytes; a panic in it must become a
	// refusal, not take the request down.
	defer func() {
		if r := recover(); r != nil {
			e, k, err = nil, Key{}, damaged(fmt.Errorf("panic: %v", r))
		}
	}()
	if e, err = read(armored); err != nil {
		return nil, Key{}, err
	}
	if k, err = describe(e, now); err != nil {
		return nil, Key{}, err
	}
	return e, k, check(e, now)
}

// read decodes the armor and returns the single entity inside, refusing
// private key material wherever it appears.
func read(armored string) (*openpgp.Entity, error) {
	if len(armored) > MaxSize {
		return nil, invalid("the key block is larger than 64 KiB; export it without third-party signatures (gpg --armor --export-options export-minimal --export KEYID)")
	}
	text := normalise(armored)
	if strings.Contains(text, "-----BEGIN PGP PRIVATE KEY BLOCK-----") || strings.Contains(text, "-----BEGIN PGP SECRET KEY BLOCK-----") {
		return nil, invalid(msgPrivate)
	}
	switch strings.Count(text, blockStart) {
	case 0:
		return nil, invalid(msgNotKey)
	case 1:
	default:
		return nil, invalid(msgMultiple)
	}
	block, err := armor.Decode(strings.NewReader(text))
	if err != nil || block.Type != openpgp.PublicKeyType {
		return nil, invalid(msgNotKey)
	}
	packets := packet.NewReader(block.Body)
	e, err := openpgp.ReadEntity(packets)
	if err != nil {
		if err == io.EOF {
			return nil, invalid(msgNotKey)
		}
		return nil, damaged(err)
	}
	next, err := packets.Next()
	switch {
	case err == io.EOF:
	case err != nil:
		return nil, damaged(err)
	default:
		if _, ok := next.(*packet.PrivateKey); ok {
			return nil, invalid(msgPrivate)
		}
		return nil, invalid(msgMultiple)
	}
	if e.PrivateKey != nil {
		return nil, invalid(msgPrivate)
	}
	for _, s := range e.Subkeys {
		if s.PrivateKey != nil {
			return nil, invalid(msgPrivate)
		}
	}
	return e, nil
}

func damaged(cause error) error {
	if _, ok := cause.(pgperrors.UnsupportedError); ok {
		return errs.Wrap(cause, errs.Invalid, "the key uses an algorithm or format that is not supported; create an Ed25519 or RSA 3072 key")
	}
	return errs.Wrap(cause, errs.Invalid, "the key block could not be read: it is incomplete or damaged; copy it again, including the BEGIN and END lines")
}

// normalise undoes what copying through web pages and mail clients does to
// armor: CRLF line ends and indentation. Armor lines never begin or end
// with meaningful white space, so trimming each line is safe.
func normalise(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, "\n") + "\n"
}

// describe fills Key from e without judging it.
func describe(e *openpgp.Entity, now time.Time) (Key, error) {
	pk := e.PrimaryKey
	self, primaryID := e.PrimarySelfSignature()
	if self == nil {
		return Key{}, invalid("the key has no valid self-signature; export it again from the program that created it")
	}
	k := Key{
		Fingerprint: strings.ToUpper(hex.EncodeToString(pk.Fingerprint)),
		KeyID:       fmt.Sprintf("%016X", pk.KeyId),
		Algorithm:   algorithm(pk),
		Created:     pk.CreationTime.UTC(),
		Expires:     expiry(pk, self),
	}
	for _, id := range sortedIdentities(e, primaryID) {
		if !id.Revoked(now) {
			k.UserIDs = append(k.UserIDs, id.Name)
		}
	}
	if enc, ok := e.EncryptionKey(now); ok {
		k.CanEncrypt = true
		if sub := expiry(enc.PublicKey, enc.SelfSignature); sub != nil && (k.Expires == nil || sub.Before(*k.Expires)) {
			k.Expires = sub
		}
	}
	var b bytes.Buffer
	w, err := armor.Encode(&b, openpgp.PublicKeyType, nil) // keep the CRC line: optional since RFC 9580, expected by RFC 4880 readers
	if err == nil {
		err = serialize(w, e, primaryID)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return Key{}, damaged(err)
	}
	k.Armored = b.String() + "\n"
	return k, nil
}

// check explains why a described key cannot be used, most fundamental
// problem first.
func check(e *openpgp.Entity, now time.Time) error {
	self, primaryID := e.PrimarySelfSignature()
	switch {
	case e.Revoked(now):
		return invalid(msgRevoked)
	case e.PrimaryKey.CreationTime.After(now):
		return invalid("the key was created in the future (%s); check the clock of the computer that made it", day(e.PrimaryKey.CreationTime))
	case self.CreationTime.After(now):
		return invalid("the key was signed in the future (%s); check the clock of the computer that made it", day(self.CreationTime))
	case e.PrimaryKey.KeyExpired(self, now):
		return invalid("the key has expired on %s", day(*expiry(e.PrimaryKey, self)))
	case self.SigExpired(now):
		return invalid("the key has expired on %s", day(self.CreationTime.Add(time.Duration(*self.SigLifetimeSecs)*time.Second)))
	case primaryID != nil && primaryID.Revoked(now):
		return invalid("every user ID on the key has been revoked")
	}
	if weak := weakness(e.PrimaryKey); weak != "" {
		return invalid("the key is too weak (%s); create an Ed25519 or RSA 3072 key", weak)
	}
	enc, ok := e.EncryptionKey(now)
	if !ok {
		return noEncryption(e, now)
	}
	if weak := weakness(enc.PublicKey); weak != "" {
		return invalid("the encryption subkey is too weak (%s); add a Cv25519 or RSA 3072 encryption subkey", weak)
	}
	return nil
}

// noEncryption says why no encryption subkey is usable: a person who let
// a subkey expire needs a different fix from one who never made one.
func noEncryption(e *openpgp.Entity, now time.Time) error {
	var expired *time.Time
	revoked := false
	for _, s := range e.Subkeys {
		if s.Sig == nil || !s.Sig.FlagsValid || !(s.Sig.FlagEncryptCommunications || s.Sig.FlagEncryptStorage) || !s.PublicKey.PubKeyAlgo.CanEncrypt() {
			continue
		}
		switch {
		case s.Revoked(now):
			revoked = true
		case s.PublicKey.KeyExpired(s.Sig, now):
			if t := expiry(s.PublicKey, s.Sig); t != nil && (expired == nil || t.After(*expired)) {
				expired = t
			}
		}
	}
	switch {
	case expired != nil:
		return invalid("the encryption subkey has expired on %s; extend it or add a new one, then export the key again", day(*expired))
	case revoked:
		return invalid("the encryption subkey has been revoked; add a new one, then export the key again")
	}
	return invalid(msgNoEncrypt)
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

func expiry(pk *packet.PublicKey, sig *packet.Signature) *time.Time {
	if sig == nil || sig.KeyLifetimeSecs == nil || *sig.KeyLifetimeSecs == 0 {
		return nil
	}
	t := pk.CreationTime.Add(time.Duration(*sig.KeyLifetimeSecs) * time.Second).UTC()
	return &t
}

// sortedIdentities orders user IDs deterministically (the library keeps
// them in a map): the primary one first, then by name.
func sortedIdentities(e *openpgp.Entity, primary *openpgp.Identity) []*openpgp.Identity {
	ids := make([]*openpgp.Identity, 0, len(e.Identities))
	for _, id := range e.Identities {
		if id != primary {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b *openpgp.Identity) int { return strings.Compare(a.Name, b.Name) })
	if primary != nil {
		ids = append([]*openpgp.Identity{primary}, ids...)
	}
	return ids
}

// serialize writes a minimal, deterministic transferable public key: the
// primary key, its revocations and direct self-signature, each user ID with
// its latest self-signature and revocations, and each subkey with its
// binding. Third-party certifications are dropped: they are unverified
// here, can be used to bloat a key, and are not needed to encrypt.
func serialize(w io.Writer, e *openpgp.Entity, primary *openpgp.Identity) error {
	write := func(s interface{ Serialize(io.Writer) error }) error { return s.Serialize(w) }
	if err := write(e.PrimaryKey); err != nil {
		return err
	}
	for _, r := range e.Revocations {
		if err := write(r); err != nil {
			return err
		}
	}
	if e.SelfSignature != nil {
		if err := write(e.SelfSignature); err != nil {
			return err
		}
	}
	for _, id := range sortedIdentities(e, primary) {
		if err := write(id.UserId); err != nil {
			return err
		}
		for _, r := range id.Revocations {
			if err := write(r); err != nil {
				return err
			}
		}
		if id.SelfSignature != nil {
			if err := write(id.SelfSignature); err != nil {
				return err
			}
		}
	}
	for _, s := range e.Subkeys {
		if err := write(s.PublicKey); err != nil {
			return err
		}
		for _, r := range s.Revocations {
			if err := write(r); err != nil {
				return err
			}
		}
		if err := write(s.Sig); err != nil {
			return err
		}
	}
	return nil
}

func algorithm(pk *packet.PublicKey) string {
	bits := func() uint16 { n, _ := pk.BitLength(); return n }
	curve := func() packet.Curve { c, _ := pk.Curve(); return c }
	switch pk.PubKeyAlgo {
	case packet.PubKeyAlgoRSA, packet.PubKeyAlgoRSAEncryptOnly, packet.PubKeyAlgoRSASignOnly:
		return fmt.Sprintf("RSA %d", bits())
	case packet.PubKeyAlgoDSA:
		return fmt.Sprintf("DSA %d", bits())
	case packet.PubKeyAlgoElGamal:
		return fmt.Sprintf("ElGamal %d", bits())
	case packet.PubKeyAlgoEdDSA, packet.PubKeyAlgoEd25519, packet.PubKeyAlgoEd448:
		if curve() == packet.Curve448 {
			return "Ed448"
		}
		return "Ed25519"
	case packet.PubKeyAlgoECDSA:
		return "ECDSA " + curveName(curve())
	case packet.PubKeyAlgoECDH:
		if curve() == packet.Curve25519 {
			return "Cv25519"
		}
		return "ECDH " + curveName(curve())
	case packet.PubKeyAlgoX25519:
		return "X25519"
	case packet.PubKeyAlgoX448:
		return "X448"
	case packet.PubKeyAlgoMldsa65Ed25519:
		return "ML-DSA-65+Ed25519"
	case packet.PubKeyAlgoMldsa87Ed448:
		return "ML-DSA-87+Ed448"
	case packet.PubKeyAlgoSlhdsaShake128s, packet.PubKeyAlgoSlhdsaShake128f, packet.PubKeyAlgoSlhdsaShake256s:
		return "SLH-DSA"
	}
	return fmt.Sprintf("algorithm %d", pk.PubKeyAlgo)
}

func curveName(c packet.Curve) string {
	switch c {
	case packet.CurveNistP256:
		return "P-256"
	case packet.CurveNistP384:
		return "P-384"
	case packet.CurveNistP521:
		return "P-521"
	}
	return string(c)
}

// weakness names the key if it is a finite-field key below minRSABits.
func weakness(pk *packet.PublicKey) string {
	switch pk.PubKeyAlgo {
	case packet.PubKeyAlgoRSA, packet.PubKeyAlgoRSAEncryptOnly, packet.PubKeyAlgoRSASignOnly, packet.PubKeyAlgoDSA, packet.PubKeyAlgoElGamal:
		if n, err := pk.BitLength(); err != nil || n < minRSABits {
			return algorithm(pk)
		}
	}
	return ""
}

// Encrypt encrypts plaintext to every recipient and returns an
// ASCII-armored OpenPGP message, as the second part of an RFC 3156
// multipart/encrypted mail needs. The keys are re-read from Armored and
// checked at now (the caller's clock, which also dates the message), so a
// Key loaded from storage that has expired since is refused rather than
// silently skipped.
//
// It writes a SEIPD v1 (MDC) packet with AES-256 where the recipients allow
// it: every OpenPGP implementation in use can read that, while the newer
// AEAD formats are unreadable for GnuPG 2.2 and other older software.
func Encrypt(recipients []Key, plaintext []byte, now time.Time) ([]byte, error) {
	if len(recipients) == 0 {
		return nil, invalid("no recipient key to encrypt to")
	}
	now = now.Add(clockSkew)
	to := make([]*openpgp.Entity, 0, len(recipients))
	for _, r := range recipients {
		e, k, err := load(r.Armored, now)
		if err != nil {
			return nil, errs.Wrap(err, errs.Invalid, fmt.Sprintf("cannot encrypt to key %s: %s", r.FormatFingerprint(), errs.MessageOf(err)))
		}
		// A Key whose fields were mixed up in storage must not send the
		// message to someone other than the fingerprint shown to users.
		if r.Fingerprint != "" && r.Fingerprint != k.Fingerprint {
			return nil, errs.Internalf(fmt.Errorf("armored key is %s", k.Fingerprint), "pgpkey: recipient %s", r.Fingerprint)
		}
		to = append(to, e)
	}
	cfg := &packet.Config{
		DefaultCipher: packet.CipherAES256,
		Time:          func() time.Time { return now },
	}
	var b bytes.Buffer
	aw, err := armor.Encode(&b, "PGP MESSAGE", nil)
	if err != nil {
		return nil, errs.Internalf(err, "pgpkey: armor")
	}
	pw, err := openpgp.Encrypt(aw, to, nil, &openpgp.FileHints{IsBinary: true}, cfg)
	if err != nil {
		return nil, errs.Internalf(err, "pgpkey: encrypt")
	}
	if _, err := pw.Write(plaintext); err != nil {
		return nil, errs.Internalf(err, "pgpkey: encrypt")
	}
	if err := pw.Close(); err != nil {
		return nil, errs.Internalf(err, "pgpkey: encrypt")
	}
	if err := aw.Close(); err != nil {
		return nil, errs.Internalf(err, "pgpkey: armor")
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}
