//! Emitting the `Scope` enum: one variant per OAuth 2.0 scope, with its URL and description.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{doc_attrs, paragraphs};
use super::ident;
use crate::ir::Api;

pub fn emit(api: &Api) -> TokenStream {
    let module_doc = format!(" The OAuth 2.0 scopes of the {}.", api.title);
    let variants = api.scopes.iter().map(|scope| {
        let name = ident(&scope.variant);
        let url_line = format!("`{}`", scope.url);
        let docs = doc_attrs(&paragraphs([scope.description.as_str(), url_line.as_str()]));
        quote!(#docs #name,)
    });
    let all = api.scopes.iter().map(|scope| {
        let name = ident(&scope.variant);
        quote!(Scope::#name,)
    });
    let urls = api.scopes.iter().map(|scope| {
        let name = ident(&scope.variant);
        let url = &scope.url;
        quote!(Scope::#name => #url,)
    });
    let descriptions = api.scopes.iter().map(|scope| {
        let name = ident(&scope.variant);
        let description = &scope.description;
        quote!(Scope::#name => #description,)
    });
    let from_url = if api.scopes.is_empty() {
        quote! {
            let _ = url;
            ::std::option::Option::None
        }
    } else {
        let arms = api.scopes.iter().map(|scope| {
            let name = ident(&scope.variant);
            let url = &scope.url;
            quote!(#url => ::std::option::Option::Some(Scope::#name),)
        });
        quote! {
            match url {
                #(#arms)*
                _ => ::std::option::Option::None,
            }
        }
    };
    quote! {
        #![doc = #module_doc]

        /// An OAuth 2.0 scope of the API. Each request builder lists the scopes that allow it in
        /// its `SCOPES` constant; a token needs one of them.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Scope {
            #(#variants)*
        }

        impl Scope {
            /// Every scope, sorted by URL.
            pub const ALL: &'static [Scope] = &[#(#all)*];

            /// The scope's URL, as a token request names it.
            pub const fn url(self) -> &'static str {
                match self {
                    #(#urls)*
                }
            }

            /// What the scope grants, as the document describes it.
            pub const fn description(self) -> &'static str {
                match self {
                    #(#descriptions)*
                }
            }

            /// The scope with this URL, if the API has it.
            pub fn from_url(url: &str) -> ::std::option::Option<Scope> {
                #from_url
            }
        }

        impl ::std::convert::AsRef<str> for Scope {
            fn as_ref(&self) -> &str {
                self.url()
            }
        }

        impl ::std::fmt::Display for Scope {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.url())
            }
        }
    }
}
