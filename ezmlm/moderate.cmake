# ezmlm/moderate.cmake — moderation and post confirmation.
#   ezmlm-store (for now the simple form that hands the post to ezmlm-send)
lettershop_program(ezmlm-store ${CMAKE_CURRENT_LIST_DIR}/ezmlm-store.cpp LIBS ezmlm-core)
