package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed assets
var assetFS embed.FS

// asset is one embedded file served under a name that carries its checksum,
// so it can be cached forever and a new release is fetched at once.
type asset struct {
	body        []byte
	contentType string
	sri         string // sha384-… for Subresource Integrity
}

// assets maps a plain name (style.css) to its checksummed URL path and back.
type assets struct {
	byURL  map[string]asset
	toURL  map[string]string
	byName map[string]asset
}

func loadAssets() (*assets, error) {
	a := &assets{byURL: map[string]asset{}, toURL: map[string]string{}, byName: map[string]asset{}}
	err := fs.WalkDir(assetFS, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := assetFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "assets/")
		sum := sha256.Sum256(b)
		ext := path.Ext(name)
		url := "/assets/" + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		as := asset{body: b, contentType: ct}
		a.byURL[url] = as
		a.byName[name] = as
		a.toURL[name] = url
		return nil
	})
	return a, err
}

// url returns the checksummed path of an asset; templates call it.
func (a *assets) url(name string) (string, error) {
	u, ok := a.toURL[name]
	if !ok {
		return "", fmt.Errorf("no asset %q", name)
	}
	return u, nil
}

func (a *assets) serve(w http.ResponseWriter, r *http.Request) {
	as, ok := a.byURL[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", as.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(as.body)
}
