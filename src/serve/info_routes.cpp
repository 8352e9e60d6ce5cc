// GET /v1/models and GET /health.
#include "serve/routes.h"

namespace slm::serve {

void handle_models(ServerContext& ctx, const httplib::Request&, httplib::Response& res) {
  nlohmann::json model = {{"id", ctx.model_id},
                          {"object", "model"},
                          {"created", ctx.created},
                          {"owned_by", "slm"},
                          {"meta", {{"context_length", ctx.scheduler->context()},
                                    {"vocab_size", ctx.engine.config().vocab_size},
                                    {"parallel", ctx.scheduler->parallel()}}}};
  res.set_content(nlohmann::json{{"object", "list"}, {"data", {model}}}.dump(), "application/json");
}

void handle_health(ServerContext& ctx, const httplib::Request&, httplib::Response& res) {
  nlohmann::json body = {{"status", "ok"},
                         {"slots_busy", ctx.scheduler->busy_slots()},
                         {"slots", ctx.scheduler->parallel()},
                         {"queued", ctx.scheduler->queued()},
                         {"requests_finished", ctx.scheduler->finished_jobs()},
                         {"requests_cancelled", ctx.scheduler->cancelled_jobs()},
                         {"largest_batch", ctx.scheduler->largest_batch()}};
  res.set_content(body.dump(), "application/json");
}

}  // namespace slm::serve
