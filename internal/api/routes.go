package api

import "net/http"

// route is one operation; path is below /api/v1 and is written exactly as
// in openapi.json, which a test checks in both directions.
type route struct {
	method string
	path   string
	h      handler
}

// routes is the whole API surface, in one table. Every handler calls a
// service with the caller's actor; the services decide who may do what.
func (s *server) routes() []route {
	return []route{
		{http.MethodGet, "/openapi.json", s.openAPI},

		// The framework catalogue is public.
		{http.MethodGet, "/framework/documents", s.listDocuments},
		{http.MethodGet, "/framework/provisions", s.listProvisions},
		{http.MethodGet, "/framework/provisions/{id}", s.getProvision},
		{http.MethodGet, "/framework/topics", s.listTopics},

		// States: the list is public; participation is the secretariat's record.
		{http.MethodGet, "/states", s.listStates},
		{http.MethodGet, "/states/{code}", s.getState},
		{http.MethodPut, "/states/{code}/participation", s.setParticipation},

		// The POC directory.
		{http.MethodGet, "/pocs", s.listPOCs},
		{http.MethodPost, "/states/{code}/pocs", s.nominatePOC},
		{http.MethodGet, "/pocs/{id}", s.getPOC},
		{http.MethodPut, "/pocs/{id}", s.editPOC},
		{http.MethodPost, "/pocs/{id}/confirm", s.confirmPOC},
		{http.MethodPost, "/pocs/{id}/retire", s.retirePOC},
		{http.MethodGet, "/pocs/{id}/history", s.pocHistory},

		// Accounts, for administrators.
		{http.MethodGet, "/accounts", s.listAccounts},
		{http.MethodPost, "/accounts", s.createAccount},
		{http.MethodGet, "/accounts/{id}", s.getAccount},
		{http.MethodPost, "/accounts/{id}/disable", s.disableAccount},
		{http.MethodPost, "/accounts/{id}/enable", s.enableAccount},

		// The caller's own account and API tokens.
		{http.MethodGet, "/me", s.me},
		{http.MethodGet, "/me/tokens", s.listTokens},
		{http.MethodDelete, "/me/tokens/{id}", s.revokeToken},

		{http.MethodGet, "/audit", s.listAudit},
	}
}
