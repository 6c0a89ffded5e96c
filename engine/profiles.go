package engine

// EnvironmentProfile is the name the switcher gives the environment's
// own config (the HATCHET_CLIENT_* variables), which is no profile.
const EnvironmentProfile = "environment"

// Profile is one tenant the profile switcher offers: a profile of the
// hatchet CLI's profiles file, or the environment's own config. It holds
// what the list shows, never the token.
type Profile struct {
	Name     string // the profile's name; EnvironmentProfile for the environment
	Key      string // what opens it: the file's key for the profile; "" for the environment
	TenantID string // from the file, else the token's subject; "" if neither says
	APIURL   string // from the file, else the token's server_url
	Default  bool   // the file's defaultProfile
	Env      bool   // the environment's own config
}

// Profiles is the switcher's list and what kept it from being whole: a
// profiles file that is missing or unreadable still leaves the
// environment to switch to.
type Profiles struct {
	List []Profile
	Path string // the profiles file read
	Err  error  // why the file gave no profiles; nil when it did
}
