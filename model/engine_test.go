package model

import "github.com/hatchtop/hatchtop/client"

// The real client and feed manager have the optional parts the model
// looks for; model/ itself never imports client/.
var (
	_ pager       = (*client.Client)(nil)
	_ eventLister = (*client.Client)(nil)
	_ prober      = (*client.Client)(nil)
	_ healer      = (*client.Feeds)(nil)
	_ Feeds       = (*client.Feeds)(nil)
)
