package taxii

import "net/http"

// Prefix is where the TAXII server is mounted, and APIRoot its one API
// root below it.
const (
	Prefix  = "/taxii2/"
	APIRoot = Prefix + "detente/"
)

// route is one TAXII 2.1 endpoint.
type route struct {
	method string
	path   string // below Prefix
	h      handler
	// objects marks the endpoints that answer with STIX objects, which a
	// client may ask for as application/stix+json too.
	objects bool
}

// routes is the whole TAXII surface, in one table.
func (s *Server) routes() []route {
	col := "detente/collections/{collection}/"
	return []route{
		{http.MethodGet, "", s.discovery, false},
		{http.MethodGet, "detente/", s.apiRoot, false},
		{http.MethodGet, "detente/status/{status}/", s.status, false},
		{http.MethodGet, "detente/collections/", s.collections, false},
		{http.MethodGet, col, s.collection, false},
		{http.MethodGet, col + "manifest/", s.manifest, false},
		{http.MethodGet, col + "objects/", s.objects, true},
		{http.MethodPost, col + "objects/", s.add, false},
		{http.MethodGet, col + "objects/{object}/", s.object, true},
		{http.MethodDelete, col + "objects/{object}/", s.delete, false},
		{http.MethodGet, col + "objects/{object}/versions/", s.versions, false},
	}
}
