/* semper-service.h: commerce services as signed, certified data (docs/commerce.md).
 *
 * A commerce service is a declarative description (JSON, never code) of one
 * merchant's terms of business and flow: its offers, its order form, the
 * sequence of exchanges (transfers, fair exchanges, contract signings of
 * business items) and which steps may follow each one, the payment systems
 * it accepts and its TTP. The merchant signs the exact bytes
 * (semper_cms_sign_message); an evaluator certifies them by signing
 * (service id, H(description), merchant certificate fingerprint, validity).
 * The wallet runs a service only after semper_service_verify(), and checks
 * every incoming message against the signed flow with a SemperFlowCursor.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "semper-crypto.h"
#include "semper-order-form.h"
#include "semper-trust.h"
#include "semper-types.h"

G_BEGIN_DECLS

#define SEMPER_SERVICE_MAX_SIZE       (256 * 1024) /* bytes of JSON */
#define SEMPER_SERVICE_MAX_OFFERS     256
#define SEMPER_SERVICE_MAX_STEPS      32
#define SEMPER_SERVICE_MAX_NEXT       8
#define SEMPER_SERVICE_MAX_TERMS      64           /* paragraphs */
#define SEMPER_SERVICE_CERTIFICATION_MAX_SIZE (16 * 1024)

#define SEMPER_SERVICE_ERROR (semper_service_error_quark ())

typedef enum {
  SEMPER_SERVICE_ERROR_INVALID,        /* a malformed description or certification */
  SEMPER_SERVICE_ERROR_WRONG_ROLE,     /* signed by a certificate without the needed role */
  SEMPER_SERVICE_ERROR_NOT_CERTIFIED,  /* the certification names another description or merchant */
  SEMPER_SERVICE_ERROR_EXPIRED,        /* outside the certification's validity */
  SEMPER_SERVICE_ERROR_NOT_ALLOWED,    /* a message that the signed flow does not allow now */
} SemperServiceError;

GQuark semper_service_error_quark (void);

typedef enum {
  SEMPER_SERVICE_PARTY_BUYER,
  SEMPER_SERVICE_PARTY_MERCHANT,
} SemperServiceParty;

typedef enum {
  SEMPER_SERVICE_STEP_TRANSFER,          /* one item, one message, from one party */
  SEMPER_SERVICE_STEP_FAIR_EXCHANGE,     /* PROTOCOLS.md B: fx/m1 … fx/m4 */
  SEMPER_SERVICE_STEP_CONTRACT_SIGNING,  /* PROTOCOLS.md A: asw/m1 … asw/m4 */
} SemperServiceStepKind;

/**
 * SemperServiceOffer:
 * @id: identifier, unique in the service
 * @title: what the user reads
 * @description: (nullable): more text
 * @kind: "digital-goods", "physical-goods", "subscription", "registration" or "consultancy"
 * @price: the price (in the service's currency)
 * @validity_days: subscriptions: how long the credential lasts; 0 otherwise
 */
typedef struct {
  char         *id;
  char         *title;
  char         *description;
  char         *kind;
  SemperAmount  price;
  guint         validity_days;
} SemperServiceOffer;

/**
 * SemperServiceStep:
 * @id: identifier, unique in the flow
 * @kind: transfer, fair exchange or contract signing
 * @from: who sends the step's first message
 * @item: transfer, contract signing: the business item
 * @buyer_gives: (nullable): fair exchange: what the buyer gives ("payment")
 * @merchant_gives: (nullable): fair exchange: what the merchant gives
 * @next: the steps that may follow (the decision after this step)
 * @final: whether the flow may end after this step
 */
typedef struct {
  char                  *id;
  SemperServiceStepKind  kind;
  SemperServiceParty     from;
  char                  *item;
  char                  *buyer_gives;
  char                  *merchant_gives;
  GStrv                  next;
  gboolean               final;
} SemperServiceStep;

#define SEMPER_TYPE_SERVICE (semper_service_get_type ())
G_DECLARE_FINAL_TYPE (SemperService, semper_service, SEMPER, SERVICE, GObject)

/* The description alone, strictly (no signature). Returns: (transfer full) (nullable) */
SemperService  *semper_service_parse          (GBytes          *json,
                                               GError         **error);
/* Merchant: signs the exact bytes that were parsed. Returns: (transfer full) (nullable) */
GBytes         *semper_service_sign           (SemperService   *self,
                                               SemperCrypto    *merchant,
                                               GError         **error);
/* Evaluator: checks the merchant's signature and the description, then
 * signs the certification. Returns: (transfer full) (nullable) */
GBytes         *semper_service_certify        (SemperCrypto    *evaluator,
                                               SemperTrust     *trust,
                                               GBytes          *signed_description,
                                               GDateTime       *not_before,
                                               GDateTime       *not_after,
                                               GError         **error);
/* Wallet: both signatures, both chains, both roles, that the certification
 * names exactly this description and merchant, and @now (nullable: the
 * current time) inside its validity. Returns: (transfer full) (nullable) */
SemperService  *semper_service_verify         (GBytes          *signed_description,
                                               GBytes          *certification,
                                               SemperTrust     *trust,
                                               GDateTime       *now,
                                               GError         **error);

GBytes         *semper_service_get_bytes      (SemperService   *self);
const char     *semper_service_get_id         (SemperService   *self);
const char     *semper_service_get_title      (SemperService   *self);
const char     *semper_service_get_merchant   (SemperService   *self);
const char     *semper_service_get_currency   (SemperService   *self);
/* Returns: (transfer none) (array zero-terminated=1) */
const char * const *semper_service_get_terms  (SemperService   *self);
const char * const *semper_service_get_payment_systems (SemperService *self);
gboolean        semper_service_accepts_payment_system (SemperService *self,
                                               const char      *system);
const char     *semper_service_get_ttp_name   (SemperService   *self);
/* (nullable): the TTP's certificate fingerprint, when the description names it */
const char     *semper_service_get_ttp_fingerprint (SemperService *self);
/* (nullable): the catalog's digest (semper_catalog_dup_digest) and size */
const char     *semper_service_get_catalog_digest (SemperService *self);
guint           semper_service_get_catalog_size (SemperService *self);
guint           semper_service_get_n_offers   (SemperService   *self);
const SemperServiceOffer *semper_service_get_offer  (SemperService *self,
                                               guint            index);
const SemperServiceOffer *semper_service_find_offer (SemperService *self,
                                               const char      *id);
SemperOrderForm *semper_service_get_order_form (SemperService  *self);
const char     *semper_service_get_start      (SemperService   *self);
guint           semper_service_get_n_steps    (SemperService   *self);
const SemperServiceStep *semper_service_get_step  (SemperService *self,
                                               guint            index);
const SemperServiceStep *semper_service_find_step (SemperService *self,
                                               const char      *id);
/* After semper_service_verify(): (nullable) */
SemperSignerInfo *semper_service_get_merchant_signer  (SemperService *self);
SemperSignerInfo *semper_service_get_evaluator_signer (SemperService *self);
GDateTime      *semper_service_get_certified_until (SemperService *self);

/* The messages of a step, in order, and who sends each. */
guint           semper_service_step_n_messages (const SemperServiceStep *step);
const char     *semper_service_step_message   (const SemperServiceStep *step,
                                               guint                    index,
                                               SemperServiceParty      *sender);

G_END_DECLS
