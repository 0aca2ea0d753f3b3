package webhook

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// newSecret returns a fresh signing secret: 32 random bytes, written as
// 64 hex digits. The HMAC key is that text itself, so receivers can paste
// it into any HMAC tool without decoding it.
func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// The signing secret must stay readable, since the server signs with it.
// With a key configured it is sealed with AES-256-GCM, bound to its
// subscription's id (as additional data, so a sealed secret copied onto
// another row does not open); without one it is stored as it is and the
// database's own protection is all it has (see docs/WEBHOOKS.md).
const (
	sealedPrefix = "aesgcm:"
	plainPrefix  = "plain:"
)

type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	if key == nil {
		return &sealer{}, nil
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("webhook key: want 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

func additional(id string) []byte { return []byte("detente webhook secret " + id) }

func (s *sealer) seal(id, secret string) string {
	if s.aead == nil {
		return plainPrefix + secret
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	out := s.aead.Seal(nonce, nonce, []byte(secret), additional(id))
	return sealedPrefix + base64.StdEncoding.EncodeToString(out)
}

var errNoKey = errors.New("the signing secret is encrypted, but no webhook key is configured (DETENTE_WEBHOOK_KEY)")

func (s *sealer) open(id, stored string) (string, error) {
	switch {
	case strings.HasPrefix(stored, plainPrefix):
		return strings.TrimPrefix(stored, plainPrefix), nil
	case strings.HasPrefix(stored, sealedPrefix):
		if s.aead == nil {
			return "", errNoKey
		}
		b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(stored, sealedPrefix))
		if err != nil || len(b) < s.aead.NonceSize() {
			return "", errors.New("the stored signing secret is damaged")
		}
		n := s.aead.NonceSize()
		plain, err := s.aead.Open(nil, b[:n], b[n:], additional(id))
		if err != nil {
			return "", errors.New("the signing secret does not open with the configured webhook key (was the key changed?)")
		}
		return string(plain), nil
	case stored == "":
		return "", errors.New("the webhook was deleted")
	}
	return "", errors.New("the stored signing secret has an unknown format")
}
