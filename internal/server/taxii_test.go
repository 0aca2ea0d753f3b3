package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/server"
	"github.com/detente/detente/internal/web"
)

// TestTAXIIIsMounted: /taxii2/ answers discovery in TAXII's media type and
// its collections to a token, under the route pattern in the metrics.
func TestTAXIIIsMounted(t *testing.T) {
	a := newApp(t)
	h, err := server.Handler(a, web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, tc := range []struct {
		path, auth string
		want       int
		body       string
	}{
		{"/taxii2/", "", 200, `"api_roots":["/taxii2/detente/"]`},
		{"/taxii2/detente/collections/", "", 401, `"http_status":"401"`},
		{"/taxii2/detente/collections/", "Bearer " + token(t, a, actor.ScopeRead), 200, `"can_read":true`},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+tc.path, nil)
		req.Header.Set("Accept", "application/taxii+json;version=2.1")
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.want || res.Header.Get("Content-Type") != "application/taxii+json;version=2.1" || !strings.Contains(string(b), tc.body) {
			t.Errorf("GET %s: %d %s %s", tc.path, res.StatusCode, res.Header.Get("Content-Type"), b)
		}
	}
}
