"""API tokens are secrets: no admin page lists them. Only their hashes are stored
(bif.models.ApiToken), and people manage their own at /konto/api-token/."""
