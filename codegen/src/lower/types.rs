//! Lowering schemas to model types: type mapping, hoisting of inline schemas, `$ref`
//! resolution, and boxing where types form a cycle.
//!
//! Names never move: a named schema keeps its own name in `model`, and an inline object or enum
//! is hoisted into a module named after the type that holds it, under a name made from its
//! own property (`model::portability_archive_state::State`), or into `model::methods` when a
//! method holds it (parameter enums, inline bodies). A schema added elsewhere in the document
//! cannot take such a name.

use std::collections::{BTreeMap, BTreeSet};

use discovery::{Document, Schema};

use crate::error::{Error, JsonPath};
use crate::ir::{
    EnumDef, FieldDef, ModuleDef, NewtypeDef, RestField, Scalar, StructDef, TypeDef, TypeId,
    TypeRef, VariantDef,
};
use crate::names::{self, Namespace};

/// What kind of Rust type a schema becomes.
enum Shape<'s> {
    Struct,
    Enum,
    List(Option<&'s Schema>),
    Map(&'s Schema),
    /// An object that says nothing of its keys: a map of JSON values.
    OpenObject,
    Scalar(Scalar),
}

/// The model module of the types methods hold inline.
pub(crate) const METHODS_MODULE: &str = "methods";
/// The most lists and maps one type may nest (real documents nest a handful).
const MAX_WRAPPERS: usize = 100;

/// Names no module may take: a module named like a primitive type hides that type in its
/// parent (`mod bool` makes a field's `bool` mean the module).
const PRIMITIVES: &[&str] = &[
    "bool", "char", "str", "f32", "f64", "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16",
    "u32", "u64", "u128", "usize",
];

/// The names taken in a new module before any type or module claims one.
fn module_namespace(extra: &[&str]) -> Namespace {
    let reserved: Vec<&str> = PRIMITIVES.iter().chain(extra).copied().collect();
    Namespace::with_reserved(&reserved)
}

/// Where a type hoisted out of its parent goes: a module of `model` (`a::b`), and the words its
/// name is made from.
#[derive(Debug, Clone)]
pub(crate) struct Hoist {
    module: String,
    words: String,
}

impl Hoist {
    /// Into the `methods` module, named from `words`.
    pub(crate) fn into_methods(words: String) -> Hoist {
        Hoist {
            module: METHODS_MODULE.to_owned(),
            words,
        }
    }

    /// The same place, named from `suffix` after these words.
    fn and(&self, suffix: &str) -> Hoist {
        Hoist {
            module: self.module.clone(),
            words: format!("{} {suffix}", self.words),
        }
    }
}

/// Lowers the schemas of one document, one type at a time, keeping names unique.
pub(crate) struct TypeLowering<'d> {
    document: &'d Document,
    /// Names taken in each module of `model`, by module path (`""` for `model` itself): types
    /// and modules (whose cases differ, so they only meet where a name would repeat).
    namespaces: BTreeMap<String, Namespace>,
    /// The module of the types hoisted out of each type, by type path.
    modules: BTreeMap<String, String>,
    /// What a `$ref` to each schema key means.
    refs: BTreeMap<String, TypeRef>,
    /// Schema keys by schema id, for documents whose `$ref`s use ids that differ from keys.
    keys_by_id: BTreeMap<String, String>,
    /// The types by provisional id (the order their names were taken), each filled in once it
    /// is lowered; [`TypeLowering::finish`] numbers them again in path order.
    defs: Vec<Option<TypeDef>>,
    /// The path of each type, by provisional id.
    paths: Vec<String>,
}

/// The final id of each type, by provisional id.
pub(crate) struct Renumbering(Vec<TypeId>);

impl Renumbering {
    /// The final id of the type with provisional id `id`.
    pub(crate) fn get(&self, id: TypeId) -> TypeId {
        self.0[id.index()]
    }
}

impl<'d> TypeLowering<'d> {
    /// Names every named schema, so that their names win over hoisted ones.
    pub(crate) fn new(document: &'d Document) -> Result<Self, Error> {
        let mut lowering = TypeLowering {
            document,
            namespaces: BTreeMap::from([(String::new(), module_namespace(&[METHODS_MODULE]))]),
            modules: BTreeMap::new(),
            refs: BTreeMap::new(),
            keys_by_id: BTreeMap::new(),
            defs: Vec::new(),
            paths: Vec::new(),
        };
        for (key, schema) in &document.schemas {
            if let Some(id) = &schema.id {
                lowering
                    .keys_by_id
                    .entry(id.clone())
                    .or_insert_with(|| key.clone());
            }
            if schema.reference.is_none() {
                let path = lowering.claim_in("", names::type_name(key));
                let id = lowering.reserve(path);
                lowering.refs.insert(key.clone(), TypeRef::Named(id));
            }
        }
        // A named schema that is only a `$ref` is another name for its target.
        let schemas_path = JsonPath::root().key("schemas");
        for key in document.schemas.keys() {
            if !lowering.refs.contains_key(key) {
                lowering.chase_alias(key, &schemas_path)?;
            }
        }
        Ok(lowering)
    }

    /// Follows a chain of `$ref`-only schemas from `start` to a real one, and records the target
    /// for every alias on the way, so each alias is followed once: linear in the number of
    /// aliases, however they chain.
    fn chase_alias(&mut self, start: &str, schemas_path: &JsonPath) -> Result<(), Error> {
        let mut chain: Vec<String> = Vec::new();
        let mut on_chain = BTreeSet::new();
        let mut key = start.to_owned();
        let target = loop {
            if let Some(known) = self.refs.get(&key) {
                break known.clone();
            }
            if !on_chain.insert(key.clone()) {
                return Err(Error::at(
                    &schemas_path.key(start).key("$ref"),
                    "this chain of `$ref`s never reaches a schema with a type",
                ));
            }
            let reference = self.document.schemas[&key]
                .reference
                .as_ref()
                .expect("schemas without a `$ref` are named already");
            let path = schemas_path.key(&key).key("$ref");
            let next = self.schema_key(reference, &path)?;
            chain.push(std::mem::replace(&mut key, next));
        };
        for alias in chain {
            self.refs.insert(alias, target.clone());
        }
        Ok(())
    }

    /// The schema key a `$ref` names.
    fn schema_key(&self, reference: &str, path: &JsonPath) -> Result<String, Error> {
        if self.document.schemas.contains_key(reference) {
            Ok(reference.to_owned())
        } else if let Some(key) = self.keys_by_id.get(reference) {
            Ok(key.clone())
        } else {
            Err(Error::at(
                path,
                format!("`$ref` names schema {reference:?}, which the document does not define"),
            ))
        }
    }

    /// The type a `$ref` stands for.
    pub(crate) fn resolve(&self, reference: &str, path: &JsonPath) -> Result<TypeRef, Error> {
        let key = self.schema_key(reference, path)?;
        Ok(self.refs[&key].clone())
    }

    /// A provisional id for the type at `path`, about to be lowered.
    fn reserve(&mut self, path: String) -> TypeId {
        self.paths.push(path);
        self.defs.push(None);
        TypeId::new(self.defs.len() - 1)
    }

    /// Records the type lowered for a reserved id.
    fn fill(&mut self, id: TypeId, def: TypeDef) {
        debug_assert!(self.defs[id.index()].is_none(), "each id is filled once");
        self.defs[id.index()] = Some(def);
    }

    /// Takes `name` (or a free variant of it) in `module`; returns its path from `model`.
    fn claim_in(&mut self, module: &str, name: String) -> String {
        let local = self
            .namespaces
            .entry(module.to_owned())
            .or_insert_with(|| module_namespace(&[]))
            .claim(name);
        if module.is_empty() {
            local
        } else {
            format!("{module}::{local}")
        }
    }

    /// Takes a name for a type hoisted to `place`; returns its path from `model`.
    fn claim_name(&mut self, place: &Hoist) -> String {
        self.claim_in(&place.module.clone(), names::type_name(&place.words))
    }

    /// The module that holds the types hoisted out of the type at `path`: a sibling of the
    /// type, named after it in snake case (`a::B` holds `a::b`).
    fn module_of(&mut self, path: &str) -> String {
        if let Some(module) = self.modules.get(path) {
            return module.clone();
        }
        let (parent, local) = path.rsplit_once("::").unwrap_or(("", path));
        let module = self.claim_in(parent, names::value_name(names::unraw(local)));
        self.modules.insert(path.to_owned(), module.clone());
        module
    }

    /// The modules that hold hoisted types, each with the type it belongs to.
    pub(crate) fn module_defs(&self) -> Vec<ModuleDef> {
        let mut owners: BTreeMap<&str, &str> = self
            .modules
            .iter()
            .map(|(owner, module)| (module.as_str(), owner.as_str()))
            .collect();
        let mut defs: Vec<ModuleDef> = Vec::new();
        let used: BTreeSet<&str> = self
            .paths
            .iter()
            .filter_map(|path| path.rsplit_once("::").map(|(module, _)| module))
            .collect();
        for module in used {
            defs.push(ModuleDef {
                path: module.to_owned(),
                owner: owners.remove(module).map(str::to_owned),
            });
        }
        defs
    }

    /// Lowers every named schema.
    pub(crate) fn lower_schemas(&mut self) -> Result<(), Error> {
        let schemas_path = JsonPath::root().key("schemas");
        for (key, schema) in &self.document.schemas {
            if schema.reference.is_some() {
                continue;
            }
            let TypeRef::Named(id) = self.refs[key] else {
                unreachable!("named schemas are named")
            };
            let name = self.paths[id.index()].clone();
            let path = schemas_path.key(key);
            let def = match self.shape(schema, &path, true)? {
                Shape::Struct => TypeDef::Struct(self.build_struct(&name, key, schema, &path)?),
                Shape::Enum => TypeDef::Enum(build_enum(&name, key, schema)),
                shape => TypeDef::Newtype(NewtypeDef {
                    ty: {
                        let place = Hoist {
                            module: self.module_of(&name),
                            words: "item".to_owned(),
                        };
                        self.lower_shape(shape, &place, &path)?
                    },
                    name,
                    origin: key.clone(),
                    description: schema.description.clone().unwrap_or_default(),
                }),
            };
            self.fill(id, def);
        }
        Ok(())
    }

    /// The type of a field, item, map value or parameter; inline objects and enums are hoisted
    /// to new types at `place`.
    pub(crate) fn lower_ref(
        &mut self,
        schema: &Schema,
        place: &Hoist,
        path: &JsonPath,
    ) -> Result<TypeRef, Error> {
        if let Some(reference) = &schema.reference {
            return self.resolve(reference, &path.key("$ref"));
        }
        match self.shape(schema, path, false)? {
            Shape::Struct => {
                let name = self.claim_name(place);
                let id = self.reserve(name.clone());
                let def = self.build_struct(&name, &origin(path), schema, path)?;
                self.fill(id, TypeDef::Struct(def));
                Ok(TypeRef::Named(id))
            }
            Shape::Enum => {
                let name = self.claim_name(place);
                let id = self.reserve(name.clone());
                self.fill(id, TypeDef::Enum(build_enum(&name, &origin(path), schema)));
                Ok(TypeRef::Named(id))
            }
            shape => self.lower_shape(shape, place, path),
        }
    }

    /// The type of a list, map or scalar shape. Lists and maps nested more than
    /// [`MAX_WRAPPERS`] deep are refused: no API nests them so, and the compiler and formatter
    /// would recurse as deep.
    fn lower_shape(
        &mut self,
        shape: Shape<'_>,
        place: &Hoist,
        path: &JsonPath,
    ) -> Result<TypeRef, Error> {
        let ty = self.lower_shape_unchecked(shape, place, path)?;
        let depth = super::depth::wrappers(&ty);
        if depth > MAX_WRAPPERS {
            return Err(Error::at(
                path,
                format!(
                    "lists and maps nest {depth} deep here; the generator takes at most \
                     {MAX_WRAPPERS}"
                ),
            ));
        }
        Ok(ty)
    }

    fn lower_shape_unchecked(
        &mut self,
        shape: Shape<'_>,
        place: &Hoist,
        path: &JsonPath,
    ) -> Result<TypeRef, Error> {
        Ok(match shape {
            Shape::List(Some(items)) => TypeRef::List(Box::new(self.lower_ref(
                items,
                place,
                &path.key("items"),
            )?)),
            Shape::List(None) => TypeRef::List(Box::new(TypeRef::Scalar(Scalar::Any))),
            Shape::Map(values) => {
                let path = path.key("additionalProperties");
                TypeRef::Map(Box::new(self.lower_ref(
                    values,
                    &place.and("value"),
                    &path,
                )?))
            }
            Shape::OpenObject => TypeRef::Map(Box::new(TypeRef::Scalar(Scalar::Any))),
            Shape::Scalar(scalar) => TypeRef::Scalar(scalar),
            Shape::Struct | Shape::Enum => unreachable!("structs and enums are named"),
        })
    }

    /// Decides what kind of type `schema` becomes. `named` schemas become structs even with no
    /// properties (like `Empty`); inline ones become open maps then.
    fn shape<'s>(
        &self,
        schema: &'s Schema,
        path: &JsonPath,
        named: bool,
    ) -> Result<Shape<'s>, Error> {
        let object = |schema: &'s Schema| match (
            &schema.additional_properties,
            schema.properties.is_empty(),
        ) {
            (Some(values), true) => Shape::Map(values),
            (None, true) if !named => Shape::OpenObject,
            _ => Shape::Struct,
        };
        let format = schema.format.as_deref();
        Ok(match schema.type_.as_deref() {
            Some("object") => object(schema),
            Some("array") => Shape::List(schema.items.as_deref()),
            Some("string") if !schema.enum_values.is_empty() => Shape::Enum,
            Some("string") => Shape::Scalar(match format {
                Some("byte") => Scalar::Bytes,
                Some("int64") => Scalar::I64,
                Some("uint64") => Scalar::U64,
                Some("google-datetime" | "date-time") => Scalar::Timestamp,
                Some("date") => Scalar::Date,
                Some("google-duration") => Scalar::Duration,
                Some("google-fieldmask") => Scalar::FieldMask,
                _ => Scalar::String,
            }),
            Some("integer") => Shape::Scalar(match format {
                Some("uint32" | "uint16" | "uint8") => Scalar::U32,
                Some("int64") => Scalar::I64,
                Some("uint64") => Scalar::U64,
                _ => Scalar::I32,
            }),
            Some("number") => Shape::Scalar(match format {
                Some("float") => Scalar::F32,
                _ => Scalar::F64,
            }),
            Some("boolean") => Shape::Scalar(Scalar::Bool),
            Some("any") => Shape::Scalar(Scalar::Any),
            Some(other) => {
                return Err(Error::at(
                    &path.key("type"),
                    format!(
                        "unsupported type {other:?}: expected object, array, string, integer, number, boolean or any"
                    ),
                ));
            }
            // No type at all: an object if it has properties, else anything at all.
            None if !schema.properties.is_empty() || schema.additional_properties.is_some() => {
                object(schema)
            }
            None => Shape::Scalar(Scalar::Any),
        })
    }

    fn build_struct(
        &mut self,
        name: &str,
        origin: &str,
        schema: &Schema,
        path: &JsonPath,
    ) -> Result<StructDef, Error> {
        let rest_name = if schema.additional_properties.is_some() {
            "additional_properties"
        } else {
            "unknown_fields"
        };
        let mut fields_namespace = Namespace::with_reserved(&[rest_name]);
        // Hoisted types of this struct go into a module of their own: claimed only when one
        // is, so structs without inline types have none.
        let needs_module = schema.properties.values().any(hoists)
            || schema.additional_properties.as_deref().is_some_and(hoists);
        let module = if needs_module {
            self.module_of(name)
        } else {
            String::new()
        };
        let place = |words: &str| Hoist {
            module: module.clone(),
            words: words.to_owned(),
        };
        let rest_value = match &schema.additional_properties {
            Some(values) => {
                Some(self.lower_ref(values, &place("value"), &path.key("additionalProperties"))?)
            }
            None => None,
        };
        let mut fields = Vec::with_capacity(schema.properties.len());
        for (wire_name, property) in &schema.properties {
            let field_path = path.key("properties").key(wire_name);
            let ty = self.lower_ref(property, &place(wire_name), &field_path)?;
            let field_name = fields_namespace.claim(names::value_name(wire_name));
            fields.push(FieldDef {
                setter: names::setter_name(&field_name),
                name: field_name,
                wire_name: wire_name.clone(),
                ty,
                boxed: false,
                description: property.description.clone().unwrap_or_default(),
                read_only: property.read_only,
                deprecated: property.deprecated,
                required_by: property
                    .annotations
                    .as_ref()
                    .map(|annotations| annotations.required.clone())
                    .unwrap_or_default(),
                default: property.default.clone(),
            });
        }
        Ok(StructDef {
            name: name.to_owned(),
            origin: origin.to_owned(),
            description: schema.description.clone().unwrap_or_default(),
            deprecated: schema.deprecated,
            fields,
            rest: RestField {
                name: rest_name.to_owned(),
                value: rest_value,
            },
            page: None,
        })
    }

    /// The model types, with cycles boxed, sorted by path, each numbered by its place; and
    /// the renumbering that the methods' types must take too.
    pub(crate) fn finish(self) -> (Vec<TypeDef>, Renumbering) {
        let mut defs: Vec<TypeDef> = self
            .defs
            .into_iter()
            .map(|def| def.expect("every reserved type is lowered"))
            .collect();
        box_cycles(&mut defs);
        let mut order: Vec<usize> = (0..defs.len()).collect();
        order.sort_by(|&a, &b| defs[a].name().cmp(defs[b].name()));
        let mut renumbering = vec![TypeId::new(0); defs.len()];
        for (place, &provisional) in order.iter().enumerate() {
            renumbering[provisional] = TypeId::new(place);
        }
        let renumbering = Renumbering(renumbering);
        let mut slots: Vec<Option<TypeDef>> = defs.into_iter().map(Some).collect();
        let sorted = order
            .iter()
            .map(|&provisional| {
                let mut def = slots[provisional].take().expect("each type is placed once");
                def.renumber(&|id| renumbering.get(id));
                def
            })
            .collect();
        (sorted, renumbering)
    }
}

/// Whether lowering `schema` hoists a type: an inline object with properties or an inline enum,
/// itself or as the items or values it holds.
fn hoists(schema: &Schema) -> bool {
    if schema.reference.is_some() {
        return false;
    }
    !schema.properties.is_empty()
        || !schema.enum_values.is_empty()
        || schema.items.as_deref().is_some_and(hoists)
        || schema.additional_properties.as_deref().is_some_and(hoists)
}

/// Where a hoisted type comes from, for its docs: the JSON path without the leading `$.`.
fn origin(path: &JsonPath) -> String {
    let text = path.to_string();
    text.strip_prefix("$.").unwrap_or(&text).to_owned()
}

/// An open enum of a string schema's values; repeated values are listed once.
fn build_enum(name: &str, origin: &str, schema: &Schema) -> EnumDef {
    const UNKNOWN: &str = "UnknownValue";
    let mut namespace = Namespace::with_reserved(&[UNKNOWN]);
    let mut seen = BTreeSet::new();
    let variants = schema
        .enum_values
        .iter()
        .enumerate()
        .filter(|(_, wire)| seen.insert(wire.as_str()))
        .map(|(index, wire)| VariantDef {
            name: namespace.claim(names::variant_name(wire)),
            wire: wire.clone(),
            description: schema
                .enum_descriptions
                .get(index)
                .cloned()
                .unwrap_or_default(),
            deprecated: schema.enum_deprecated.get(index).copied().unwrap_or(false),
        })
        .collect();
    EnumDef {
        name: name.to_owned(),
        origin: origin.to_owned(),
        description: schema.description.clone().unwrap_or_default(),
        variants,
        unknown_variant: UNKNOWN.to_owned(),
    }
}

/// Boxes every field whose struct type contains, directly, the struct the field is in: the
/// fields that join the members of one strongly connected component of the containment graph.
/// Lists and maps already put their items on the heap, so only plain fields count as edges.
fn box_cycles(defs: &mut [TypeDef]) {
    let structs: Vec<bool> = defs
        .iter()
        .map(|def| matches!(def, TypeDef::Struct(_)))
        .collect();
    let edges: Vec<Vec<usize>> = defs
        .iter()
        .map(|def| match def {
            TypeDef::Struct(def) => def
                .fields
                .iter()
                .filter_map(|field| match &field.ty {
                    TypeRef::Named(target) if structs[target.index()] => Some(target.index()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        })
        .collect();
    let component = strongly_connected_components(&edges);
    for (index, def) in defs.iter_mut().enumerate() {
        if let TypeDef::Struct(def) = def {
            for field in &mut def.fields {
                if let TypeRef::Named(target) = &field.ty
                    && structs[target.index()]
                {
                    field.boxed = component[target.index()] == component[index];
                }
            }
        }
    }
}

/// Tarjan's algorithm, iteratively: the component number of every node.
fn strongly_connected_components(edges: &[Vec<usize>]) -> Vec<usize> {
    const UNVISITED: usize = usize::MAX;
    let count = edges.len();
    let mut index = vec![UNVISITED; count];
    let mut low = vec![0; count];
    let mut on_stack = vec![false; count];
    let mut component = vec![UNVISITED; count];
    let mut stack = Vec::new();
    let mut next_index = 0;
    let mut next_component = 0;
    for start in 0..count {
        if index[start] != UNVISITED {
            continue;
        }
        // Each frame is a node and how many of its edges have been followed.
        let mut frames = vec![(start, 0)];
        index[start] = next_index;
        low[start] = next_index;
        next_index += 1;
        stack.push(start);
        on_stack[start] = true;
        while let Some(&mut (node, ref mut next_edge)) = frames.last_mut() {
            if let Some(&target) = edges[node].get(*next_edge) {
                *next_edge += 1;
                if index[target] == UNVISITED {
                    index[target] = next_index;
                    low[target] = next_index;
                    next_index += 1;
                    stack.push(target);
                    on_stack[target] = true;
                    frames.push((target, 0));
                } else if on_stack[target] {
                    low[node] = low[node].min(index[target]);
                }
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == index[node] {
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component[member] = next_component;
                    if member == node {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}
