//! Calls of the ETNA Trader API written by hand with reqwest and serde: two of
//! the password reset (step 3, the reset token, and step 4, the new
//! password), sign-in, and calls with the session token
//! (`list_security_images`, a page of a trading account's orders, placing
//! an order): what a consumer would write without `etna-client`.
//!
//! It serves twice: built alone by `cargo xtask bench` it gives the build cost
//! and dependency count of not using the generated client, and `etna-bench`
//! includes this file as the hand-written side of the request benchmark, so
//! both measurements are of the same code.

#![warn(missing_docs)]

use std::fmt;
use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderName, HeaderValue};
use reqwest::{StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A client for the calls, with the settings every request needs.
#[derive(Clone)]
pub struct HandWritten {
    http: reqwest::Client,
    url: Url,
    password_url: Url,
    sign_in_url: Url,
    images_url: Url,
    /// The API root without a trailing slash, for the URLs with a path
    /// parameter, formatted per call.
    base_url: String,
    app_key: HeaderValue,
    /// `Bearer <token>`, sensitive, once signed in.
    session: Option<HeaderValue>,
}

/// The request body.
#[derive(Serialize)]
pub struct ResetCodeRequest<'a> {
    /// The confirmation code from the trader's email.
    #[serde(rename = "Code")]
    pub code: &'a str,
    /// `ResetPassword` or `ResetPinCode`.
    #[serde(rename = "Identifier")]
    pub identifier: &'a str,
}

/// The request body of step 4.
#[derive(Serialize)]
pub struct PasswordUpdate<'a> {
    /// The reset token of step 3.
    #[serde(rename = "Token")]
    pub token: &'a str,
    /// The new password.
    #[serde(rename = "Password")]
    pub password: &'a str,
    /// The new password again.
    #[serde(rename = "PasswordConfirmation")]
    pub password_confirmation: &'a str,
}

/// The response envelope, reduced to what the call needs.
#[derive(Deserialize)]
pub struct Envelope {
    /// The token when `is_succeed` is true.
    #[serde(rename = "Model")]
    pub model: Option<String>,
    /// Reasons for a refusal.
    #[serde(rename = "Errors", default)]
    pub errors: Option<Vec<String>>,
    /// Whether a token was generated.
    #[serde(rename = "IsSucceed")]
    pub is_succeed: bool,
}

/// The sign-in answer, reduced to what the call needs.
#[derive(Deserialize)]
pub struct SignInAnswer {
    /// `Succeeded`, `Expecting` or `Failed`.
    #[serde(rename = "State")]
    pub state: String,
    /// The session token when signed in.
    #[serde(rename = "Token")]
    pub token: Option<Token>,
}

/// A token from an answer: `Debug` never shows it.
#[derive(Deserialize)]
#[serde(transparent)]
pub struct Token(String);

impl Token {
    /// The token itself; never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Why the call failed.
#[derive(Debug)]
pub enum Error {
    /// The base URL or app key cannot be used.
    Config(String),
    /// Transport, timeout or decoding failure.
    Http(reqwest::Error),
    /// A status other than 200.
    Status(StatusCode),
    /// The envelope said no, or carried no token.
    Refused(Vec<String>),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Config(reason) => write!(f, "invalid setting: {reason}"),
            Self::Http(e) => write!(f, "request failed: {e}"),
            Self::Status(status) => write!(f, "unexpected status {status}"),
            Self::Refused(errors) => write!(f, "refused: {errors:?}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Http(e) => Some(e),
            _ => None,
        }
    }
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        Self::Http(e)
    }
}

impl HandWritten {
    /// A client for the API root `base_url` (e.g. `https://host/api`), with the
    /// same timeouts as etna-client's defaults.
    pub fn new(base_url: &str, app_key: &str) -> Result<Self, Error> {
        // reqwest is built without a default crypto provider, as in etna-client.
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .user_agent("etna-baseline/0.0.0")
            .build()?;
        let url = Self::reset_code_url(base_url)?;
        let password_url = endpoint(base_url, "/v1.0/users/passwords/reset/")?;
        let sign_in_url = endpoint(base_url, "/token")?;
        let images_url = endpoint(base_url, "/v1.0/assets/security-images")?;
        let mut app_key = HeaderValue::from_str(app_key)
            .map_err(|_| Error::Config("the app key is not a valid header value".to_owned()))?;
        app_key.set_sensitive(true);
        Ok(Self {
            http,
            url,
            password_url,
            sign_in_url,
            images_url,
            base_url: base_url.trim_end_matches('/').to_owned(),
            app_key,
            session: None,
        })
    }

    /// The URL of step 3 under the API root `base_url`.
    pub fn reset_code_url(base_url: &str) -> Result<Url, Error> {
        endpoint(base_url, "/v1.0/users/identifiers/reset/code")
    }

    /// Posts the code and decodes a 200 body as `T`.
    pub async fn send<T: DeserializeOwned>(
        &self,
        code: &str,
        identifier: &str,
    ) -> Result<T, Error> {
        let response = self
            .http
            .post(self.url.clone())
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header(HeaderName::from_static("et-app-key"), self.app_key.clone())
            .json(&ResetCodeRequest { code, identifier })
            .send()
            .await?;
        if response.status() != StatusCode::OK {
            return Err(Error::Status(response.status()));
        }
        Ok(response.json().await?)
    }

    /// Exchanges the emailed code for the reset token.
    pub async fn reset_token(&self, code: &str, identifier: &str) -> Result<String, Error> {
        let envelope: Envelope = self.send(code, identifier).await?;
        match envelope.model {
            Some(token) if envelope.is_succeed && !token.is_empty() => Ok(token),
            _ => Err(Error::Refused(envelope.errors.unwrap_or_default())),
        }
    }

    /// Sets the new password with the token; `true` when the API says done.
    pub async fn reset_password(&self, token: &str, password: &str) -> Result<bool, Error> {
        let response = self
            .http
            .put(self.password_url.clone())
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header(HeaderName::from_static("et-app-key"), self.app_key.clone())
            .json(&PasswordUpdate {
                token,
                password,
                password_confirmation: password,
            })
            .send()
            .await?;
        if response.status() != StatusCode::OK {
            return Err(Error::Status(response.status()));
        }
        let envelope: Envelope = response.json().await?;
        match envelope.errors {
            Some(errors) if !errors.is_empty() => Err(Error::Refused(errors)),
            _ => Ok(envelope.is_succeed),
        }
    }

    /// Signs in with a login and password (no second factor) and decodes a
    /// 200 body as `T`; the password goes in a sensitive header.
    pub async fn sign_in<T: DeserializeOwned>(
        &self,
        username: &str,
        password: &str,
    ) -> Result<T, Error> {
        let username = HeaderValue::from_str(username)
            .map_err(|_| Error::Config("the username is not a valid header value".to_owned()))?;
        let mut password = HeaderValue::from_str(password)
            .map_err(|_| Error::Config("the password is not a valid header value".to_owned()))?;
        password.set_sensitive(true);
        let response = self
            .http
            .post(self.sign_in_url.clone())
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header(HeaderName::from_static("et-app-key"), self.app_key.clone())
            .header(HeaderName::from_static("username"), username)
            .header(HeaderName::from_static("password"), password)
            .send()
            .await?;
        if response.status() != StatusCode::OK {
            return Err(Error::Status(response.status()));
        }
        Ok(response.json().await?)
    }

    /// Signs in and keeps the session token for the calls that need it.
    pub async fn sign_in_and_keep(&mut self, username: &str, password: &str) -> Result<(), Error> {
        let answer: SignInAnswer = self.sign_in(username, password).await?;
        match answer.token {
            Some(token) if answer.state == "Succeeded" => self.set_session_token(token.expose()),
            _ => Err(Error::Refused(vec![answer.state])),
        }
    }

    /// Sends `token` as `Authorization: Bearer` (a sensitive header) from
    /// now on.
    pub fn set_session_token(&mut self, token: &str) -> Result<(), Error> {
        let mut header = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| Error::Config("the token is not a valid header value".to_owned()))?;
        header.set_sensitive(true);
        self.session = Some(header);
        Ok(())
    }

    /// The security images, with the session token; decodes a 200 body as `T`.
    pub async fn security_images<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let session = self
            .session
            .clone()
            .ok_or_else(|| Error::Config("not signed in".to_owned()))?;
        let response = self
            .http
            .get(self.images_url.clone())
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header(HeaderName::from_static("et-app-key"), self.app_key.clone())
            .header(AUTHORIZATION, session)
            .send()
            .await?;
        if response.status() != StatusCode::OK {
            return Err(Error::Status(response.status()));
        }
        Ok(response.json().await?)
    }

    /// One page of a trading account's orders, with the session token;
    /// decodes a 200 body as `T`.
    pub async fn list_orders<T: DeserializeOwned>(
        &self,
        account_id: i32,
        page_number: i32,
        page_size: u32,
    ) -> Result<T, Error> {
        let session = self.session()?;
        let response = self
            .http
            .get(format!(
                "{}/v1.0/accounts/{account_id}/orders",
                self.base_url
            ))
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header(HeaderName::from_static("et-app-key"), self.app_key.clone())
            .header(AUTHORIZATION, session)
            .query(&[("pageNumber", page_number)])
            .query(&[("pageSize", page_size)])
            .send()
            .await?;
        if response.status() != StatusCode::OK {
            return Err(Error::Status(response.status()));
        }
        Ok(response.json().await?)
    }

    /// Places `order` (any body that serialises as the API's order) on a
    /// trading account, with the session token; decodes a 200 body as `T`.
    /// Sent once: a lost answer is never retried, since the order may exist.
    pub async fn place_order<B: Serialize, T: DeserializeOwned>(
        &self,
        account_id: i32,
        order: &B,
    ) -> Result<T, Error> {
        let session = self.session()?;
        let response = self
            .http
            .post(format!(
                "{}/v1.0/accounts/{account_id}/orders",
                self.base_url
            ))
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header(HeaderName::from_static("et-app-key"), self.app_key.clone())
            .header(AUTHORIZATION, session)
            .json(order)
            .send()
            .await?;
        if response.status() != StatusCode::OK {
            return Err(Error::Status(response.status()));
        }
        Ok(response.json().await?)
    }

    fn session(&self) -> Result<HeaderValue, Error> {
        self.session
            .clone()
            .ok_or_else(|| Error::Config("not signed in".to_owned()))
    }
}

fn endpoint(base_url: &str, path: &str) -> Result<Url, Error> {
    let url = format!("{}{path}", base_url.trim_end_matches('/'));
    Url::parse(&url).map_err(|e| Error::Config(format!("{url}: {e}")))
}
